"""Benchmark the model store against a hub on loopback (tests/fake_hub.py, in its own process).

    python tests/benchmark_models.py [--size-mb 200] [--rounds 7] [--link-mb 250] [--dir /dev/shm]

(--dir /dev/shm keeps disk writeback out of the figures; this 2-core machine varies a lot anyway)

Prints, from one run, interleaved round by round on the same file:
  * download throughput of the pack's downloader (metadata request, resumable transfer, sha256
    verified on the fly, into the Hugging Face cache, linked into ComfyUI's folder) and, with a
    hub ETag that is no sha256, the same without verification;
  * a plain HTTP client on the same bytes: urllib and aiohttp streaming to a file;
  * the ratio downloader / plain client (target >= 0.9), with the loopback link unlimited (more
    than 1 GB/s: the sha256, ~1.6 GB/s per core, competes for this machine's CPUs) and limited to
    --link-mb (a fast real link, where the hash runs beside the transfer);
  * the time to resolve a whole model set that is present (target <= 20 ms) and the requests the
    hub saw meanwhile (target 0).
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REPO, PATH = "bench/model", "weights/bench.safetensors"
CHUNK = 4 << 20

# No token from this machine's login goes to the loopback hub (read when huggingface_hub loads).
os.environ["HF_HUB_DISABLE_IMPLICIT_TOKEN"] = "1"


def import_pack():
    spec = importlib.util.spec_from_file_location("ltx23_aio", ROOT / "__init__.py",
                                                  submodule_search_locations=[str(ROOT)])
    pack = importlib.util.module_from_spec(spec)
    sys.modules["ltx23_aio"] = pack
    spec.loader.exec_module(pack)


def make_file(path: Path, size: int) -> str:
    sha = hashlib.sha256()
    with open(path, "wb") as f:
        for _ in range(0, size, CHUNK):
            block = os.urandom(min(CHUNK, size - f.tell()))
            f.write(block)
            sha.update(block)
    return sha.hexdigest()


def plain_urllib(url: str, target: Path) -> float:
    target.unlink(missing_ok=True)  # as the downloader: a new file, not a 200 MB one to truncate first
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response, open(target, "wb") as f:
        while data := response.read(CHUNK):
            f.write(data)
    return time.perf_counter() - started


def plain_aiohttp(url: str, target: Path) -> float:
    import aiohttp

    async def get() -> None:
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            with open(target, "wb") as f:
                async for data in response.content.iter_chunked(CHUNK):
                    f.write(data)
    target.unlink(missing_ok=True)
    started = time.perf_counter()
    asyncio.run(get())
    return time.perf_counter() - started


def downloader(repo: str, size: int, work: Path) -> float:
    from ltx23_aio.model_manifest import ModelFile
    from ltx23_aio.model_store.comfy_paths import FolderMap
    from ltx23_aio.model_store.ensure import ensure_files

    shutil.rmtree(work, ignore_errors=True)
    os.environ["HF_HUB_CACHE"] = str(work / "hub")
    comfy = FolderMap.for_comfyui(work / "ComfyUI").paths()
    f = ModelFile("bench.safetensors", "checkpoints", repo, PATH, size, size_exact=True)
    started = time.perf_counter()
    path = ensure_files({"checkpoint": f}, comfy=comfy)["checkpoint"]
    elapsed = time.perf_counter() - started
    assert os.path.getsize(path) == size
    return elapsed


def hub_stats(hub_url: str) -> dict:
    with urllib.request.urlopen(f"{hub_url}/_stats", timeout=10) as response:
        return json.load(response)


def resolve_present_set(work: Path, hub_url: str, repeats: int) -> dict:
    """ensure_files for t2v's files with the fp8 set, every file present: in a ComfyUI folder, and
    only in the Hugging Face cache (the first call links them). The files are sparse stand-ins."""
    from ltx23_aio.model_manifest import BUILTIN_SETS
    from ltx23_aio.model_store.cache import repo_dir
    from ltx23_aio.model_store.comfy_paths import FolderMap
    from ltx23_aio.model_store.ensure import ensure_files
    from ltx23_aio.nodes.modes import MODES
    from ltx23_aio.nodes.plan import files_needed

    files = files_needed(MODES["t2v"], BUILTIN_SETS["fp8"])
    results = {"files": len(files)}
    for where in ("models", "hf_cache"):
        root = work / where
        os.environ["HF_HUB_CACHE"] = str(root / "hub")
        comfy = FolderMap.for_comfyui(root / "ComfyUI").paths()
        for f in files.values():
            if where == "models":
                target = Path(comfy.model_dirs(f.folder)[0]) / f.name
            else:  # the layout huggingface_hub writes
                target = repo_dir(root / "hub", f.repo) / "snapshots" / ("0" * 40) / f.repo_path
                (repo_dir(root / "hub", f.repo) / "refs").mkdir(parents=True, exist_ok=True)
                (repo_dir(root / "hub", f.repo) / "refs" / "main").write_text("0" * 40)
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as stand_in:
                stand_in.truncate(f.size or 1)  # sparse: the real size, no disk used
        before = hub_stats(hub_url)["requests"]
        started = time.perf_counter()
        ensure_files(files, comfy=comfy)
        first = time.perf_counter() - started
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            ensure_files(files, comfy=comfy)
            times.append(time.perf_counter() - started)
        results[where] = {"first_ms": first * 1e3, "median_ms": statistics.median(times) * 1e3,
                          "max_ms": max(times) * 1e3, "requests": hub_stats(hub_url)["requests"] - before}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--dir", help="where to write the downloads (default: the temporary folder)")
    parser.add_argument("--link-mb", type=float, default=250, help="the limited link's speed, MB/s")
    args = parser.parse_args()
    size = args.size_mb * 1_000_000
    import_pack()

    with tempfile.TemporaryDirectory(prefix="ltx23-bench-", dir=args.dir) as tmp:
        tmp = Path(tmp)
        data = tmp / "bench.bin"
        sha = make_file(data, size)
        server = subprocess.Popen([sys.executable, str(HERE / "fake_hub.py"), str(data), REPO, PATH, str(args.link_mb)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            urls = json.loads(server.stdout.readline())
            os.environ["HF_ENDPOINT"] = urls["hub"]
            os.environ.pop("HF_HUB_OFFLINE", None)
            cdn_url = f"{urls['cdn']}/{REPO}/blobs/{sha}"
            limited_url = f"{urls['cdn']}/{REPO}-throttled/blobs/{sha}"
            runs = {"downloader (sha256 verified)": [], "downloader (no sha256 to verify)": [],
                    "plain urllib": [], "plain aiohttp": [],
                    "limited link: downloader (verified)": [], "limited link: plain urllib": []}
            plain_urllib(cdn_url, tmp / "plain.bin")  # warm-up: first connection, server page cache
            downloader(REPO, size, tmp / "dl")
            for _ in range(args.rounds):
                runs["plain urllib"].append(plain_urllib(cdn_url, tmp / "plain.bin"))
                runs["downloader (sha256 verified)"].append(downloader(REPO, size, tmp / "dl"))
                runs["plain aiohttp"].append(plain_aiohttp(cdn_url, tmp / "plain.bin"))
                runs["downloader (no sha256 to verify)"].append(downloader(REPO + "-unverified", size, tmp / "dl"))
                runs["limited link: plain urllib"].append(plain_urllib(limited_url, tmp / "plain.bin"))
                runs["limited link: downloader (verified)"].append(downloader(REPO + "-throttled", size, tmp / "dl"))
            resolve = resolve_present_set(tmp / "resolve", urls["hub"], repeats=50)
        finally:
            server.stdin.close()
            server.wait(30)

    rate = {name: size / statistics.median(times) / 1e6 for name, times in runs.items()}
    plain = max(rate["plain urllib"], rate["plain aiohttp"])
    print(f"download of {args.size_mb} MB from a hub on loopback, median of {args.rounds} interleaved rounds:")
    for name, mbps in rate.items():
        print(f"  {name:<37} {mbps:8.0f} MB/s   (runs: {', '.join(f'{size / t / 1e6:.0f}' for t in runs[name])})")
    print(f"  ratio downloader / faster plain client, unlimited link: {rate['downloader (sha256 verified)'] / plain:.2f} "
          f"verified, {rate['downloader (no sha256 to verify)'] / plain:.2f} unverified (target >= 0.9)")
    print(f"  ratio downloader / plain client, link limited to {args.link_mb:.0f} MB/s: "
          f"{rate['limited link: downloader (verified)'] / rate['limited link: plain urllib']:.2f} verified (target >= 0.9)")
    print(f"resolve the {resolve['files']} files of t2v with model set fp8, all present (target <= 20 ms, 0 requests):")
    for where, label in (("models", "in ComfyUI's model folders"), ("hf_cache", "only in the Hugging Face cache")):
        r = resolve[where]
        print(f"  {label:<32} first {r['first_ms']:6.2f} ms, then median {r['median_ms']:6.2f} ms, "
              f"max {r['max_ms']:6.2f} ms; hub requests: {r['requests']}")


if __name__ == "__main__":
    main()
