"""The one error the model store raises, and its messages: what is missing, how big, what to do.

Messages never include request headers: the Hugging Face token travels in them.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

from ..model_manifest import ModelFile, human_bytes
from .hub import Hub

PACK_DIR = Path(__file__).absolute().parents[1]  # as given: the pack may be a symlink in custom_nodes
LOGIN_HELP = ("authenticate on this machine with `hf auth login` (`huggingface-cli login` with older "
              "huggingface_hub), or set HF_TOKEN in the environment that starts ComfyUI; huggingface_hub "
              "sends the token, this pack never logs or stores it")


class StatusError(ValueError):
    """An unknown mode, model set or preset; the message lists the known ones."""


class ModelFileError(RuntimeError):
    """A model file cannot be made available. ``kind`` names the cause for callers that branch on it:
    offline, download_off, no_source, not_found, access_denied, unreachable, disk_space, disk_full,
    connection_lost, storage, verification, changed, cancelled, link, unexpected."""

    def __init__(self, message: str, kind: str, files: Iterable[ModelFile] = ()):
        super().__init__(message)
        self.kind = kind
        self.files = tuple(files)


def file_lines(files: Sequence[ModelFile], hub: Hub) -> list[str]:
    lines = []
    for f in files:
        lines.append(f"  • {f.name} ({f.size_label}) → ComfyUI/models/{f.folder}/")
        if f.repo:
            lines.append(f"    {hub.public_url(f.repo, f.repo_path)}")
    return lines


def total_text(files: Sequence[ModelFile]) -> str:
    total = sum(f.size or 0 for f in files)
    return f" (≈{human_bytes(total)} in all)" if total else ""


def prefetch_command(mode: str | None, model_set: str | None) -> str:
    return f"python {PACK_DIR} models download --mode {mode or '<mode>'} --set {model_set or '<model set>'}"


def offline(files: Sequence[ModelFile], hub: Hub, mode: str | None, model_set: str | None) -> ModelFileError:
    return ModelFileError("\n".join([
        f"Offline mode (HF_HUB_OFFLINE is set) and {len(files)} model file(s) are missing{total_text(files)}:",
        *file_lines(files, hub),
        "To get them: unset HF_HUB_OFFLINE and run again (the files download into the Hugging Face "
        f"cache at {hub.cache_dir}); or, on a machine with internet, run `{prefetch_command(mode, model_set)}`; "
        "or download each URL into the folder shown.",
    ]), "offline", files)


def download_off(files: Sequence[ModelFile], hub: Hub, mode: str | None, model_set: str | None) -> ModelFileError:
    return ModelFileError("\n".join([
        f"{len(files)} model file(s) are missing{total_text(files)} and automatic download is off:",
        *file_lines(files, hub),
        f"Turn automatic download on, run `{prefetch_command(mode, model_set)}`, or download each URL "
        "into the folder shown.",
    ]), "download_off", files)


def no_source(files: Sequence[ModelFile], hub: Hub) -> ModelFileError:
    return ModelFileError("\n".join([
        f"{len(files)} model file(s) are missing and their model set names no Hugging Face repo to "
        "download them from:",
        *file_lines(files, hub),
        "Put each file in the folder shown (or a folder extra_model_paths.yaml adds), or add \"repo\" "
        "(and \"path\" inside it) to the file in the model set.",
    ]), "no_source", files)


def not_found(f: ModelFile, hub: Hub, status: int) -> ModelFileError:
    return ModelFileError(
        f"{f.name} was not found on Hugging Face (HTTP {status}): {f.repo}/{f.repo_path} does not "
        f"exist at {hub.public_url(f.repo, f.repo_path)}. The file may have been renamed or removed upstream: check the repository "
        "page, update the pack, or correct the model set's \"repo\"/\"path\".", "not_found", [f])


def access_denied(f: ModelFile, hub: Hub, status: int) -> ModelFileError:
    # The hub answers 401 for a repository that does not exist too, so as not to reveal private ones.
    what = ("needs authentication: the repository is gated or private, or does not exist, or the token "
            "sent is not valid"
            if status == 401 else
            "refused access: the repository is gated and this account has not accepted its terms, or "
            "the token lacks read permission")
    return ModelFileError(
        f"Hugging Face {what} (HTTP {status}) for {f.name} ({f.size_label}) at "
        f"{hub.public_url(f.repo, f.repo_path)}. To get it: open {hub.public_endpoint}/{f.repo}, accept its "
        f"terms if it is gated, then {LOGIN_HELP}.",
        "access_denied", [f])


def unreachable(files: Sequence[ModelFile], hub: Hub, error: BaseException) -> ModelFileError:
    return ModelFileError("\n".join([
        f"Could not reach {hub.public_endpoint} ({type(error).__name__}: {hub.public(str(error))}) to download "
        f"{len(files)} model file(s){total_text(files)}:",
        *file_lines(files, hub),
        "Check the internet connection (and HTTPS_PROXY if you use a proxy) and run again; or set "
        "HF_HUB_OFFLINE=1 and put the files in the folders shown.",
    ]), "unreachable", files)


def hub_error(f: ModelFile, hub: Hub, status: int | None, tries: int) -> ModelFileError:
    return ModelFileError(
        f"Hugging Face answered HTTP {status} for {f.name} at {hub.public_url(f.repo, f.repo_path)} "
        f"({_tries(tries)}). The hub may be busy or down: run again in a while.", "unreachable", [f])


def _tries(n: int) -> str:
    return "once" if n == 1 else f"on each of {n} tries"


def _kept(done: int, total: int | None) -> str:
    of = f" of {human_bytes(total)}" if total else ""
    return f"{human_bytes(done)}{of} already fetched are kept in the Hugging Face cache"


def not_enough_space(need: int, free: int, where: Path, files: Sequence[ModelFile]) -> ModelFileError:
    return ModelFileError(
        f"Not enough disk space to download {', '.join(f.name for f in files)}: needs {human_bytes(need)}, "
        f"{human_bytes(free)} free at {where}. Free some space, or point HF_HUB_CACHE (or HF_HOME) at a larger "
        "disk, then run again.", "disk_space", files)


def disk_full(f: ModelFile, done: int, total: int | None, free: int, where: Path, error: OSError) -> ModelFileError:
    need = f"{human_bytes(total - done)} more" if total else "more space"
    return ModelFileError(
        f"The disk filled up while downloading {f.name} ({error.strerror or error}): needs {need}, "
        f"{human_bytes(free)} free at {where}. The {human_bytes(done)} already fetched are kept; free some space and run "
        "again to resume.", "disk_full", [f])


def connection_lost(f: ModelFile, done: int, total: int | None, error: BaseException, host: str,
                    tries: int, timeout: float) -> ModelFileError:
    of = f" of {human_bytes(total)}" if total else ""
    if type(error).__name__ == "ShortRange":
        what = f"{host} answered with ranges too short to make progress ({error})"
    elif isinstance(error, TimeoutError) and str(error).startswith("less than"):
        what = f"{host} sent {error}"
    elif isinstance(error, TimeoutError):
        what = f"{host} sent nothing for {timeout:g} s"
    else:
        what = f"the connection to {host} failed ({type(error).__name__}: {error})"
    return ModelFileError(
        f"The download of {f.name} stopped after {human_bytes(done)}{of}: {what}, {_tries(tries)} in a "
        f"row. The {_kept(done, None)}: check the connection and run again to resume from "
        "there.", "connection_lost", [f])


def storage_refused(f: ModelFile, host: str, status: int, done: int, total: int | None,
                    tries: int) -> ModelFileError:
    if status in (401, 403):
        why = (f"refused access even with a fresh address from the hub: a proxy or firewall may block "
               f"{host}, or the mirror in HF_ENDPOINT is misconfigured; check HTTPS_PROXY and HF_ENDPOINT")
    else:
        why = "is busy, down or broken; wait a while"
    return ModelFileError(
        f"The storage server {host} answered HTTP {status} for {f.name} ({_tries(tries)}): it {why}, "
        f"then run again to resume. The {_kept(done, total)}.", "storage", [f])


def storage_missing(f: ModelFile, hub: Hub, host: str, done: int, total: int | None) -> ModelFileError:
    return ModelFileError(
        f"The hub lists {f.name} ({f.repo}/{f.repo_path}) but its storage server {host} has no data for "
        f"it (HTTP 404, also at a fresh address from the hub). The hub{_mirror(hub)} is missing the "
        f"file's data: run again later; if it persists, tell the repository's owners{_mirror(hub, ' or the mirror')}. "
        f"The {_kept(done, total)}.", "storage", [f])


def _mirror(hub: Hub, text: str = " or the mirror in HF_ENDPOINT") -> str:
    from .hub import DEFAULT_ENDPOINT
    return text if hub.endpoint != DEFAULT_ENDPOINT else ""


def storage_size(f: ModelFile, hub: Hub, host: str, what: str, done: int, total: int | None) -> ModelFileError:
    return ModelFileError(
        f"{f.name} cannot be downloaded as the hub describes it: {what} (at {host}). A storage server or "
        f"proxy is serving a truncated or different copy; nothing was linked. Run again later; if it "
        f"persists, tell the repository's owners{_mirror(hub, ' or the mirror')}. "
        f"The {_kept(done, total)}.", "storage", [f])


def over_budget(f: ModelFile, host: str, received: int, total: int, done: int) -> ModelFileError:
    return ModelFileError(
        f"The download of {f.name} was stopped after receiving {human_bytes(received)} for a file of "
        f"{human_bytes(total)}: {host} keeps breaking off or sending the same bytes again. "
        f"The {_kept(done, total)}: run again later to resume.", "storage", [f])


def cancelled(f: ModelFile, done: int, total: int | None) -> ModelFileError:
    return ModelFileError(
        f"The download of {f.name} was cancelled; the {_kept(done, total)}: download it again to resume.",
        "cancelled", [f])


def no_size(f: ModelFile, hub: Hub) -> ModelFileError:
    return ModelFileError(
        f"The hub did not say how large {f.name} is (no X-Linked-Size or Content-Length for "
        f"{hub.public_url(f.repo, f.repo_path)}), so it cannot be downloaded with bounded writes. This "
        "is not how Hugging Face answers: check HF_ENDPOINT, or add \"size\" to the file in the model set.",
        "unreachable", [f])


def changed_while_downloading(f: ModelFile, old_etag: str, new_etag: str, dropped: int) -> ModelFileError:
    return ModelFileError(
        f"{f.name} changed on Hugging Face while it downloaded (ETag {old_etag} became {new_etag}): the "
        f"{human_bytes(dropped)} fetched of the old version were deleted. Run again to download the new "
        "version (if the model set names its sha256 or exact size, update the pack or the set first).",
        "changed", [f])


def verification_failed(f: ModelFile, what: str, got: str, expected: str, source: str,
                        quarantined: Path) -> ModelFileError:
    return ModelFileError(
        f"{f.name} failed verification: its {what} is {got}, expected {expected} ({source}). It was not "
        f"used: the download was moved aside to {quarantined} (replacing an earlier failed copy, if "
        "any). Run again to download it afresh; if it fails again, the hub or a proxy serves a "
        "corrupt copy: delete that folder and report it.", "verification", [f])


def unsafe_path(f: ModelFile) -> ModelFileError:
    return ModelFileError(
        f"{f.name} cannot be downloaded: its path in {f.repo}, '{f.repo_path}', would put it outside the "
        "Hugging Face cache. Nothing was written; correct the model set's \"path\".", "no_source", [f])


def target_taken(f: ModelFile, target: str, why: str) -> ModelFileError:
    return ModelFileError(
        f"{target} is in the way of {f.name}: {why}. Nothing was downloaded. Move that file away (or "
        "delete it) and run again.", "link", [f])


def changed_upstream(f: ModelFile, what: str, hub_value: str, expected: str) -> ModelFileError:
    return ModelFileError(
        f"{f.name} on Hugging Face no longer matches the model set: the hub reports {what} {hub_value}, "
        f"the set expects {expected}. Nothing was downloaded; update the pack (or the model set's "
        "\"size\"/\"sha256\").", "changed", [f])


def link_failed(f: ModelFile, cached: str, error: BaseException) -> ModelFileError:
    return ModelFileError(
        f"{f.name} is in the Hugging Face cache at {cached} but could not be made visible to ComfyUI: "
        f"{error}.", "link", [f])
