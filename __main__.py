"""The pack's command line: ``python <pack folder> models status|download …``, the prefetch
command (mode_files/cli.py), and ``python <pack folder> export …``, a run's graph (nodes/export.py).

The pack's folder may have any name, dashes included, so it is loaded as the package
``ltx23_aio`` by path, as ComfyUI and the tests do.
"""
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).absolute().parent

# Python put the pack folder itself first on sys.path; its subfolders (nodes/, tests/) must not
# shadow modules of the same name.
if sys.path and Path(sys.path[0] or ".").absolute() == ROOT:
    sys.path.pop(0)

spec = importlib.util.spec_from_file_location("ltx23_aio", ROOT / "__init__.py", submodule_search_locations=[str(ROOT)])
pack = importlib.util.module_from_spec(spec)
sys.modules["ltx23_aio"] = pack
spec.loader.exec_module(pack)

if sys.argv[1:2] == ["export"]:
    from ltx23_aio.nodes.export import main  # noqa: E402
    sys.exit(main(sys.argv[2:]))

from ltx23_aio.mode_files.cli import main  # noqa: E402

sys.exit(main())
