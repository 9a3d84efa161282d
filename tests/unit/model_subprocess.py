"""Run ensure_files in a child process (to kill it mid-download, or to give it a file size limit).

    python model_subprocess.py PACK_ROOT JSON   ->  prints {"kind": null} or {"kind", "message"}
"""
import importlib.util
import json
import os
import resource
import signal
import sys

root, args = sys.argv[1], json.loads(sys.argv[2])
spec = importlib.util.spec_from_file_location("ltx23_aio", os.path.join(root, "__init__.py"),
                                              submodule_search_locations=[root])
pack = importlib.util.module_from_spec(spec)
sys.modules["ltx23_aio"] = pack
spec.loader.exec_module(pack)

from ltx23_aio.model_manifest import ModelFile  # noqa: E402
from ltx23_aio.model_store.comfy_paths import FolderMap  # noqa: E402
from ltx23_aio.model_store.ensure import ensure_files  # noqa: E402
from ltx23_aio.model_store.errors import ModelFileError  # noqa: E402
from ltx23_aio.model_store.hub import Hub  # noqa: E402

if args.get("file_size_limit"):
    # A write past the limit then fails with EFBIG, as a full disk fails with ENOSPC, instead of
    # the default SIGXFSZ killing the process.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (args["file_size_limit"], resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
try:
    ensure_files({"m": ModelFile(**args["file"])}, comfy=FolderMap.for_comfyui(args["comfyui"]).paths(),
                 hub=Hub.from_environment(retry_waits=(), **{k: args[k] for k in ("connections", "min_piece")
                                                              if k in args}))
except ModelFileError as e:
    print(json.dumps({"kind": e.kind, "message": str(e)}))
    sys.exit(1)
print(json.dumps({"kind": None}))
