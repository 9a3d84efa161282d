"""The model files each mode needs, for the people who fetch them: where they stand (status), the
sidebar's routes and the prefetch command. It joins the modes (``nodes/``) with the files library
(``model_store/``), which knows nothing of modes."""
