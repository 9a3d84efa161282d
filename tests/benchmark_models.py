"""Benchmark the model store against a hub on loopback (tests/fake_hub.py, in its own process).

    python tests/benchmark_models.py [--size-mb 200] [--rounds 5] [--link-mb 250] [--connection-mb 50]
                                     [--dir /dev/shm]

(--dir /dev/shm keeps disk writeback out of the figures; this 2-core machine varies a lot anyway)

Prints, from one run, interleaved round by round on the same file, three links side by side:
  * unlimited loopback (more than 1 GB/s: on two cores this measures the sha256, ~1.6 GB/s per
    core, and the Python readers against the CPU, not a network);
  * capped at --connection-mb per connection, as a CDN caps each stream: the pack (8 connections,
    sha256 verified) against ``aria2c -x8 -s8`` (no verification; Debian package ``aria2``:
    ``apt-get install -y aria2``; without it that column is skipped with a note) and one plain
    stream; target pack >= 0.9 x aria2c;
  * capped at --link-mb in all (a fast real line): the pack against a plain client; target >= 0.9;
and then the bytes a resume re-fetches after connections are cut mid-file (target <= 1 %), the
time to resolve a whole model set that is present (target <= 20 ms) and the requests the hub saw
meanwhile (target 0).
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
ARIA2C = shutil.which("aria2c")

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


def aria2c(url: str, target: Path) -> float:
    target.unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run([ARIA2C, "-x8", "-s8", "--dir", str(target.parent), "--out", target.name,
                    "--allow-overwrite=true", "--auto-file-renaming=false", "--console-log-level=error",
                    "--summary-interval=0", "--download-result=hide", "-q", url], check=True)
    elapsed = time.perf_counter() - started
    assert target.stat().st_size > 0
    return elapsed


def hub_faults(hub_url: str, repo: str, faults: list) -> None:
    request = urllib.request.Request(f"{hub_url}/_faults", method="POST", headers={"Content-Type": "application/json"},
                                     data=json.dumps({"repo": repo, "path": PATH, "faults": faults}).encode())
    urllib.request.urlopen(request, timeout=10).close()


def resume_refetch(repo: str, size: int, work: Path, hub_url: str) -> float:
    """Bytes the hub sent beyond the file's size when the first two connections are cut halfway
    through their first ranges (each 1/16 of the file), as a fraction of the size."""
    hub_faults(hub_url, repo, [["cut", size // 32], ["cut", size // 32]])
    before = hub_stats(hub_url)
    downloader(repo, size, work)
    after = hub_stats(hub_url)
    assert after["cuts"] - before["cuts"] == 2, "the connections were not cut"
    return (after["bytes_sent"] - before["bytes_sent"] - size) / size


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


COLUMNS = ("pack", "pack, no sha256", "aria2c -x8 -s8", "plain urllib", "plain aiohttp")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--dir", help="where to write the downloads (default: the temporary folder)")
    parser.add_argument("--link-mb", type=float, default=250, help="the capped line's speed in all, MB/s")
    parser.add_argument("--connection-mb", type=float, default=50, help="the CDN's cap per connection, MB/s")
    args = parser.parse_args()
    size = args.size_mb * 1_000_000
    import_pack()

    with tempfile.TemporaryDirectory(prefix="ltx23-bench-", dir=args.dir) as tmp:
        tmp = Path(tmp)
        data = tmp / "bench.bin"
        sha = make_file(data, size)
        server = subprocess.Popen([sys.executable, str(HERE / "fake_hub.py"), str(data), REPO, PATH,
                                   str(args.link_mb), str(args.connection_mb)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            urls = json.loads(server.stdout.readline())
            os.environ["HF_ENDPOINT"] = urls["hub"]
            os.environ.pop("HF_HUB_OFFLINE", None)
            os.environ.pop("LTX23_AIO_CONNECTIONS", None)
            blob = lambda repo: f"{urls['cdn']}/{repo}/blobs/{sha}"  # noqa: E731
            links = {"unlimited": REPO, "per connection": REPO + "-capped", "in all": REPO + "-throttled"}
            runs: dict[tuple[str, str], list[float]] = {}

            def timed(link: str, column: str, seconds: float) -> None:
                runs.setdefault((link, column), []).append(seconds)
            plain_urllib(blob(REPO), tmp / "plain.bin")  # warm-up: first connection, server page cache
            downloader(REPO, size, tmp / "dl")
            for _ in range(args.rounds):
                for link, repo in links.items():
                    timed(link, "plain urllib", plain_urllib(blob(repo), tmp / "plain.bin"))
                    timed(link, "pack", downloader(repo, size, tmp / "dl"))
                    if ARIA2C and link != "in all":
                        timed(link, "aria2c -x8 -s8", aria2c(blob(repo), tmp / "aria2.bin"))
                    if link == "unlimited":
                        timed(link, "plain aiohttp", plain_aiohttp(blob(repo), tmp / "plain.bin"))
                        timed(link, "pack, no sha256", downloader(REPO + "-unverified", size, tmp / "dl"))
            refetch = [resume_refetch(REPO + "-capped", size, tmp / "dl", urls["hub"]) for _ in range(3)]
            resolve = resolve_present_set(tmp / "resolve", urls["hub"], repeats=50)
        finally:
            server.stdin.close()
            server.wait(30)

    rate = {key: size / statistics.median(times) / 1e6 for key, times in runs.items()}
    print(f"download of {args.size_mb} MB from a hub on loopback, MB/s, median of {args.rounds} interleaved rounds "
          "(pack: 8 connections, sha256 verified, into the Hugging Face cache, linked):")
    titles = {"unlimited": "unlimited loopback", "per connection": f"{args.connection_mb:g} MB/s per connection",
              "in all": f"{args.link_mb:g} MB/s in all"}
    print(f"  {'link':<24}" + "".join(f"{c:>17}" for c in COLUMNS) + "   ratio")
    for link, title in titles.items():
        cells = "".join(f"{rate[(link, c)]:17.0f}" if (link, c) in rate else f"{'-':>17}" for c in COLUMNS)
        if link == "per connection":
            ratio = (f"pack / aria2c {rate[(link, 'pack')] / rate[(link, 'aria2c -x8 -s8')]:.2f} (target >= 0.9)"
                     if ARIA2C else "pack / aria2c: skipped, aria2c not installed (apt-get install -y aria2)")
        elif link == "in all":
            ratio = f"pack / plain {rate[(link, 'pack')] / rate[(link, 'plain urllib')]:.2f} (target >= 0.9)"
        else:
            plain = max(rate[(link, "plain urllib")], rate[(link, "plain aiohttp")])
            ratio = (f"pack / faster plain {rate[(link, 'pack')] / plain:.2f} verified, "
                     f"{rate[(link, 'pack, no sha256')] / plain:.2f} unverified")
        print(f"  {title:<24}{cells}   {ratio}")
    print("  runs: " + "; ".join(f"{titles[link]} {column}: {', '.join(f'{size / t / 1e6:.0f}' for t in times)}"
                                 for (link, column), times in runs.items()))
    print(f"resume after two of 8 connections were cut mid-range ({args.connection_mb:g} MB/s per connection): "
          f"re-fetched {', '.join(f'{r * 100:.2f} %' for r in refetch)} of the file (target <= 1 %)")
    print(f"resolve the {resolve['files']} files of t2v with model set fp8, all present (target <= 20 ms, 0 requests):")
    for where, label in (("models", "in ComfyUI's model folders"), ("hf_cache", "only in the Hugging Face cache")):
        r = resolve[where]
        print(f"  {label:<32} first {r['first_ms']:6.2f} ms, then median {r['median_ms']:6.2f} ms, "
              f"max {r['max_ms']:6.2f} ms; hub requests: {r['requests']}")


if __name__ == "__main__":
    main()
