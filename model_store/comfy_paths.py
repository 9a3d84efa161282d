"""The part of ComfyUI the model store uses — its model folders — behind a thin adapter.

Inside ComfyUI the adapter wraps ``folder_paths`` (``comfy_paths()``), and ``node_progress``
drives the running node's progress bar. The command line must not import ComfyUI (that pulls in
torch), so ``FolderMap.for_comfyui`` computes the folders the way ComfyUI does by default:
``<ComfyUI>/models/<folder>`` (``<base directory>/models/<folder>`` for a ComfyUI started with
``--base-directory``) plus what ``extra_model_paths.yaml`` adds; the command line takes
``--base-directory`` and ``--extra-model-paths-config`` as options of its own, as ``main.py`` does.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping

from .auto import GpuFacts

# ComfyUI v0.27's folder_paths defaults for the folders model sets use, in its search order.
DEFAULT_FOLDERS: Mapping[str, tuple[str, ...]] = {
    "checkpoints": ("checkpoints",),
    "loras": ("loras",),
    "vae": ("vae",),
    "text_encoders": ("text_encoders", "clip"),
    "diffusion_models": ("unet", "diffusion_models"),
    "latent_upscale_models": ("latent_upscale_models",),
    "upscale_models": ("upscale_models",),
    "clip_vision": ("clip_vision",),
    "controlnet": ("controlnet", "t2i_adapter"),
    "vae_approx": ("vae_approx",),
    "embeddings": ("embeddings",),
    "audio_encoders": ("audio_encoders",),
    "model_patches": ("model_patches",),
    "geometry_estimation": ("geometry_estimation",),
}
LEGACY_NAMES = {"unet": "diffusion_models", "clip": "text_encoders"}


@dataclass(frozen=True)
class ComfyPaths:
    """What the model store needs from ComfyUI."""

    model_dirs: Callable[[str], list[str]]  # folder -> its directories in ComfyUI's order
    find: Callable[[str, str], str | None]  # (folder, name) -> an existing file; dangling links are not files
    register: Callable[[str, str], None]  # (folder, directory): one more place ComfyUI looks
    user_dir: str | None = None
    gpu: GpuFacts | None = None  # for the `auto` model set


def comfy_paths(gpu: GpuFacts | None = None) -> ComfyPaths:
    """The adapter over the running ComfyUI's ``folder_paths``."""
    import folder_paths

    def model_dirs(folder: str) -> list[str]:
        try:
            return folder_paths.get_folder_paths(folder)
        except KeyError:
            return []

    return ComfyPaths(model_dirs, folder_paths.get_full_path, folder_paths.add_model_folder_path,
                      folder_paths.get_user_directory(), gpu)


def node_progress(node_id: str | None = None) -> Callable[[int, int], None]:
    """A progress callback for ``ensure_files`` that drives the running node's progress bar.

    ComfyUI's progress hook raises when the user interrupts; ``ensure_files`` calls this in the
    caller's thread, so the interrupt stops the waiting and the download goes on for the next run.
    """
    import comfy.utils

    bar = comfy.utils.ProgressBar(1, node_id=node_id)
    return lambda done, total: bar.update_absolute(done, max(total, 1))


class ExtraPathsError(ValueError):
    """An extra_model_paths.yaml that ComfyUI itself would fail on."""


class FolderMap:
    """Model folders as plain data, with ``folder_paths``' lookup rules."""

    def __init__(self, folders: Mapping[str, Iterable[str]]):
        self._folders = {name: list(dirs) for name, dirs in folders.items()}

    @classmethod
    def for_comfyui(cls, comfyui: str | Path | None, extra_configs: Iterable[str | Path] = (),
                    base_directory: str | Path | None = None) -> "FolderMap":
        """As ComfyUI's main.py computes them: the models under ``base_directory`` when given, else
        under ``comfyui``; ``extra_model_paths.yaml`` beside main.py, then ``extra_configs``."""
        models = Path(base_directory if base_directory is not None else comfyui).absolute() / "models"
        folder_map = cls({f: [str(models / d) for d in dirs] for f, dirs in DEFAULT_FOLDERS.items()})
        beside_main = [Path(comfyui) / "extra_model_paths.yaml"] if comfyui is not None else []
        for config in [*beside_main, *map(Path, extra_configs)]:
            if config.is_file():
                folder_map.add_extra_paths(config)
        return folder_map

    def add_extra_paths(self, config: Path) -> None:
        """Read an extra_model_paths.yaml as ComfyUI's ``utils/extra_config.py`` does."""
        import yaml  # a dependency of huggingface_hub

        try:
            data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as e:
            raise ExtraPathsError(f"{config}: not readable YAML ({e})") from e
        yaml_dir = config.resolve().parent
        for section, conf in data.items():
            if conf is None:
                continue
            if not isinstance(conf, dict):
                raise ExtraPathsError(f"{config}: section '{section}' is not a mapping")
            conf = dict(conf)
            base = conf.pop("base_path", None)
            if base is not None:
                base = Path(os.path.expandvars(os.path.expanduser(str(base))))
                base = base if base.is_absolute() else (yaml_dir / base).resolve()
            is_default = bool(conf.pop("is_default", False))
            for folder, lines in conf.items():
                if not isinstance(lines, str):
                    raise ExtraPathsError(f"{config}: '{section}.{folder}' must be a path or lines of paths")
                for line in filter(None, lines.split("\n")):
                    path = base / line if base else Path(line) if os.path.isabs(line) else yaml_dir / line
                    self.register(folder, os.path.normpath(path), is_default)

    def model_dirs(self, folder: str) -> list[str]:
        return list(self._folders.get(LEGACY_NAMES.get(folder, folder), []))

    def find(self, folder: str, name: str) -> str | None:
        name = os.path.relpath(os.path.join("/", name), "/")
        for directory in self.model_dirs(folder):
            path = os.path.join(directory, name)
            if os.path.isfile(path):
                return path
        return None

    def register(self, folder: str, directory: str, is_default: bool = False) -> None:
        dirs = self._folders.setdefault(LEGACY_NAMES.get(folder, folder), [])
        if directory in dirs and not is_default:
            return
        if directory in dirs:
            dirs.remove(directory)
        if is_default:
            dirs.insert(0, directory)
        else:
            dirs.append(directory)

    def paths(self, user_dir: str | Path | None = None, gpu: GpuFacts | None = None) -> ComfyPaths:
        return ComfyPaths(self.model_dirs, self.find, self.register,
                          str(user_dir) if user_dir is not None else None, gpu)


class NotComfyUI(ValueError):
    """A folder given as ComfyUI is none."""


def locate_comfyui(given: str | None) -> Path | None:
    """The ComfyUI folder a command line works on: ``--comfyui`` (``given``), else $COMFYUI_PATH,
    else the ComfyUI whose custom_nodes holds this pack; None when there is none of these."""
    for source, value in (("--comfyui", given), ("COMFYUI_PATH", os.environ.get("COMFYUI_PATH"))):
        if value:
            path = Path(value).expanduser().absolute()
            if not (path / "main.py").is_file():
                raise NotComfyUI(f"{source}={value} is not a ComfyUI folder (no main.py there)")
            return path
    parent = Path(__file__).absolute().parents[2]  # as given: the pack may be a symlink in custom_nodes
    if parent.name == "custom_nodes" and (parent.parent / "main.py").is_file():
        return parent.parent
    return None

