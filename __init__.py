"""LTX2.3 AIO: one ComfyUI node per LTX-2.3 generation mode.

Imported by ComfyUI it registers the nodes (V3 entry point), the sidebar's HTTP routes (modes,
model files), and serves ``web/``. Imported anywhere else (tests, the command line) it only
exposes the pure-Python parts.
"""
WEB_DIRECTORY = "./web"

try:
    import comfy_api.latest  # noqa: F401  present only inside ComfyUI
except ImportError:
    pass
else:
    from server import PromptServer

    from .mode_files.routes import register_with_comfyui
    from .model_store.auto import comfy_gpu
    from .nodes.extension import comfy_entrypoint  # noqa: F401
    from .routes import register

    register(PromptServer.instance.routes)
    register_with_comfyui(comfy_gpu)
