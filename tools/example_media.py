"""Draw the example workflows' media and thumbnails, with the Python that runs ComfyUI (it has
Pillow, NumPy, SciPy and PyAV):

    python tools/example_media.py

Writes example_workflows/media/* (small pictures, sounds and a clip the examples name; the
sidebar uploads them into ComfyUI's input folder when an example opens) and one thumbnail per
example (example_workflows/<name>.jpg, shown by ComfyUI's Templates browser). Everything is
drawn from code, so the pack ships no third-party media.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import av
import numpy as np
from pack_import import load_pack  # noqa: E402
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from scipy.signal import lfilter

ROOT = Path(__file__).resolve().parents[1]
SIZE = (960, 528)  # the aspect of the default 1280×704 output
RATE = 44100
THUMB = (512, 512)
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"




def _gradient(size, top, bottom) -> Image.Image:
    t = np.linspace(0, 1, size[1])[:, None, None]
    rows = (1 - t) * np.array(top) + t * np.array(bottom)
    return Image.fromarray(np.repeat(rows, size[0], axis=1).astype(np.uint8))


def _smooth(draw_at_2x) -> Image.Image:
    """Draw at twice the size and scale down: PIL's shapes have no anti-aliasing."""
    big = draw_at_2x((SIZE[0] * 2, SIZE[1] * 2))
    return big.resize(SIZE, Image.LANCZOS)


# --- pictures ----------------------------------------------------------------------------------

def portrait() -> Image.Image:
    def draw(size):
        w, h = size
        img = _gradient(size, (246, 200, 170), (120, 170, 180))
        d = ImageDraw.Draw(img)
        d.rectangle([w * 0.06, h * 0.1, w * 0.3, h * 0.75], fill=(250, 236, 210))  # a window
        d.line([w * 0.18, h * 0.1, w * 0.18, h * 0.75], fill=(200, 170, 140), width=14)
        d.line([w * 0.06, h * 0.42, w * 0.3, h * 0.42], fill=(200, 170, 140), width=14)
        cx = w * 0.55
        d.ellipse([cx - 300, h * 0.1, cx + 300, h * 0.8], fill=(70, 40, 30))  # hair behind
        d.pieslice([cx - 420, h * 0.78, cx + 420, h * 1.5], 180, 360, fill=(60, 90, 140))  # shoulders
        d.rectangle([cx - 70, h * 0.6, cx + 70, h * 0.82], fill=(232, 180, 150))  # neck
        d.ellipse([cx - 200, h * 0.2, cx + 200, h * 0.74], fill=(240, 192, 160))  # face
        d.chord([cx - 230, h * 0.12, cx + 230, h * 0.5], 180, 360, fill=(70, 40, 30))  # fringe
        for side in (-1, 1):
            ex = cx + side * 80
            d.ellipse([ex - 42, h * 0.43 - 24, ex + 42, h * 0.43 + 24], fill=(255, 255, 255))
            d.ellipse([ex - 22, h * 0.43 - 22, ex + 22, h * 0.43 + 22], fill=(70, 110, 60))
            d.ellipse([ex - 10, h * 0.43 - 10, ex + 10, h * 0.43 + 10], fill=(20, 20, 20))
            d.arc([ex - 55, h * 0.36 - 20, ex + 55, h * 0.36 + 30], 200, 340, fill=(70, 40, 30), width=12)
            d.ellipse([ex + side * 30 - 40, h * 0.55 - 18, ex + side * 30 + 40, h * 0.55 + 18], fill=(240, 160, 150))
        d.line([cx, h * 0.46, cx - 14, h * 0.55, cx + 6, h * 0.56], fill=(200, 140, 120), width=8)
        d.chord([cx - 70, h * 0.58, cx + 70, h * 0.68], 0, 180, fill=(190, 70, 80))  # smile
        return img
    return _smooth(draw)


def _ridge(rng, w, base, amplitude, points=14):
    xs = np.linspace(0, w, points)
    ys = base - amplitude * rng.random(points)
    return [(0, base + 400)] + list(zip(xs, ys)) + [(w, base + 400)]


def lake(dusk: bool) -> Image.Image:
    def draw(size):
        w, h = size
        rng = np.random.default_rng(7)  # the same mountains in both pictures
        sky = ((40, 20, 70), (250, 140, 70)) if dusk else ((90, 150, 225), (215, 232, 245))
        img = _gradient(size, *sky)
        d = ImageDraw.Draw(img)
        sun = (w * 0.62, h * 0.47, 110, (255, 120, 60)) if dusk else (w * 0.3, h * 0.18, 70, (255, 246, 200))
        d.ellipse([sun[0] - sun[2], sun[1] - sun[2], sun[0] + sun[2], sun[1] + sun[2]], fill=sun[3])
        shade = 0.45 if dusk else 1.0
        for base, amp, color in ((h * 0.5, h * 0.3, (110, 120, 150)), (h * 0.56, h * 0.2, (70, 90, 110)),
                                 (h * 0.6, h * 0.12, (50, 80, 70))):
            d.polygon(_ridge(rng, w, base, amp), fill=tuple(int(c * shade) for c in color))
        horizon = int(h * 0.62)
        water = np.asarray(img)[horizon - (h - horizon):horizon][::-1].astype(float) * (0.55 if dusk else 0.7)
        water[..., 2] += 25
        img.paste(Image.fromarray(np.clip(water, 0, 255).astype(np.uint8)), (0, horizon))
        d = ImageDraw.Draw(img)
        for _ in range(40):
            y = horizon + 10 + rng.random() * (h - horizon - 20)
            x = rng.random() * w
            d.line([x, y, x + 60 + rng.random() * 160, y], fill=(255, 255, 255, 60), width=3)
        for _ in range(26):  # pines on the near shore
            x, size_ = rng.random() * w, 60 + rng.random() * 90
            d.polygon([(x, horizon - size_ * 2), (x - size_ / 2, horizon + 6), (x + size_ / 2, horizon + 6)],
                      fill=tuple(int(c * shade) for c in (25, 55, 35)))
        return img
    return _smooth(draw)


def watercolor() -> Image.Image:
    rng = np.random.default_rng(3)
    w, h = SIZE
    paper = 236 + rng.normal(0, 6, (h, w, 1)) + np.array([[[6, 2, -8]]])
    img = Image.fromarray(np.clip(paper, 0, 255).astype(np.uint8))
    palette = [(224, 90, 90), (240, 170, 70), (90, 160, 200), (110, 180, 120), (150, 110, 190), (60, 90, 160)]
    for i in range(90):
        layer = Image.new("L", SIZE, 0)
        d = ImageDraw.Draw(layer)
        x, y = rng.random() * w, rng.random() * h
        pts = [(x + rng.normal(0, 110), y + rng.normal(0, 70)) for _ in range(6)]
        d.polygon(pts, fill=int(120 + rng.random() * 110))
        layer = layer.filter(ImageFilter.GaussianBlur(3 + rng.random() * 6))
        # Watercolor pools pigment at a wash's edge: a darker rim around a lighter middle.
        blurred = np.asarray(layer.filter(ImageFilter.GaussianBlur(8)), float)
        rim = Image.fromarray(np.clip(np.asarray(layer, float) - blurred, 0, 255).astype(np.uint8) * 3)
        color = Image.new("RGB", SIZE, palette[i % len(palette)])
        img = Image.composite(Image.blend(img, color, 0.55), img, layer)
        img = Image.composite(Image.blend(img, color, 0.5), img, rim)
    return img


# --- sound ---------------------------------------------------------------------------------------

def drums(seconds: float = 6.0, bpm: float = 100) -> np.ndarray:
    rng = np.random.default_rng(1)
    out = np.zeros(int(seconds * RATE))
    beat = 60 / bpm

    def add(at, sound):
        i = int(at * RATE)
        out[i:i + len(sound)] += sound[:len(out) - i]

    t = np.arange(int(0.35 * RATE)) / RATE
    kick = np.sin(2 * np.pi * (50 * t + 70 * (1 - np.exp(-t * 30)) / 30)) * np.exp(-t * 9)
    snare = (rng.normal(0, 0.5, len(t)) + 0.4 * np.sin(2 * np.pi * 185 * t)) * np.exp(-t * 18)
    hat_t = t[: int(0.06 * RATE)]
    hat = np.diff(rng.normal(0, 0.4, len(hat_t) + 1)) * np.exp(-hat_t * 60)
    bass_notes = [55.0, 55.0, 65.4, 49.0]
    for step in range(int(seconds / beat * 2)):
        at = step * beat / 2
        add(at, 0.35 * hat)
        if step % 4 == 0:
            add(at, 0.9 * kick)
        if step % 4 == 2:
            add(at, 0.6 * snare)
        if step % 2 == 0:
            f = bass_notes[(step // 8) % 4]
            bt = np.arange(int(beat * RATE * 0.9)) / RATE
            add(at, 0.25 * np.sign(np.sin(2 * np.pi * f * bt)) * np.exp(-bt * 3))
    return out / np.abs(out).max() * 0.8


FORMANTS = {"a": (800, 1150, 2900), "o": (450, 800, 2830), "e": (400, 1700, 2600), "i": (300, 2200, 3000),
            "u": (325, 700, 2530)}


def singing(seconds: float = 6.0) -> np.ndarray:
    """A voice singing vowels to a melody (source-filter synthesis), with breaks between syllables
    so the mouth has something to follow."""
    melody = [(220.0, "a", 0.6), (246.9, "o", 0.4), (261.6, "e", 0.6), (293.7, "a", 0.8), (261.6, "i", 0.4),
              (246.9, "o", 0.6), (220.0, "u", 0.8), (196.0, "a", 0.6), (220.0, "e", 0.4), (246.9, "a", 0.8)]
    out = []
    for f0, vowel, length in melody:
        n = int(length * RATE)
        t = np.arange(n) / RATE
        pitch = f0 * (1 + 0.012 * np.sin(2 * np.pi * 5.5 * t))
        phase = np.cumsum(pitch) / RATE
        source = 2 * (phase % 1) - 1  # a buzz rich in harmonics, like the vocal folds
        voice = np.zeros(n)
        for k, f in enumerate(FORMANTS[vowel]):
            r = np.exp(-np.pi * 90 / RATE)
            a = [1, -2 * r * np.cos(2 * np.pi * f / RATE), r * r]
            voice += lfilter([1 - r], a, source) / (k + 1)
        envelope = np.minimum(1, np.minimum(t / 0.05, (length - t) / 0.12)).clip(0, 1)
        out += [voice * envelope, np.zeros(int(0.06 * RATE))]
    wave = np.concatenate(out)[: int(seconds * RATE)]
    wave = np.pad(wave, (0, int(seconds * RATE) - len(wave)))
    return wave / np.abs(wave).max() * 0.8


def write_mp3(path: Path, wave: np.ndarray) -> None:
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libmp3lame", rate=RATE, layout="mono")
        stream.bit_rate = 96_000
        frame = av.AudioFrame.from_ndarray((wave * 32767).astype(np.int16)[None, :], format="s16", layout="mono")
        frame.sample_rate = RATE
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


# --- clip ----------------------------------------------------------------------------------------

def shapes_frame(i: int, fps: int, size=(480, 264)) -> np.ndarray:
    w, h = size
    t = i / fps
    img = _gradient(size, (30, 40, 70), (70, 50, 90))
    d = ImageDraw.Draw(img)
    bounce = abs(np.sin(np.pi * t * 1.2))
    x = w * (0.15 + 0.7 * (t / 5.5))
    y = h * 0.8 - bounce * h * 0.55
    d.ellipse([x - 28, y - 28, x + 28, y + 28], fill=(250, 200, 60))
    angle = t * 90
    c = np.array([w * 0.75, h * 0.35])
    corners = [c + 45 * np.array([np.cos(np.radians(angle + k * 90)), np.sin(np.radians(angle + k * 90))]) for k in range(4)]
    d.polygon([tuple(p) for p in corners], fill=(90, 200, 230))
    tx = w * (0.9 - 0.6 * ((t * 0.4) % 1))
    d.polygon([(tx, h * 0.2), (tx - 35, h * 0.5), (tx + 35, h * 0.5)], fill=(230, 90, 120))
    d.rectangle([0, h * 0.86, w, h], fill=(40, 30, 50))
    return np.asarray(img)


def write_shapes_clip(path: Path, seconds: float = 5.5, fps: int = 24) -> None:
    frames = int(seconds * fps)
    t = np.arange(int(seconds * RATE)) / RATE
    sound = 0.15 * np.sin(2 * np.pi * 110 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 0.5 * t))
    for k in range(int(seconds * 1.2) + 1):  # a knock each time the ball lands
        at = int(k / 1.2 * RATE)
        knock = np.sin(2 * np.pi * 320 * t[:4000]) * np.exp(-t[:4000] * 40)
        sound[at:at + 4000] += 0.6 * knock[:len(sound) - at]
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=fps, options={"crf": "26", "preset": "slow"})
        video.width, video.height, video.pix_fmt = 480, 264, "yuv420p"
        audio = out.add_stream("aac", rate=RATE, layout="mono")
        audio.bit_rate = 64_000
        for i in range(frames):
            for packet in video.encode(av.VideoFrame.from_ndarray(shapes_frame(i, fps), format="rgb24")):
                out.mux(packet)
        for packet in video.encode(None):
            out.mux(packet)
        samples = sound.astype(np.float32)[None, :]
        for start in range(0, samples.shape[1], 1024):
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples[:, start:start + 1024]), format="fltp",
                                               layout="mono")
            frame.sample_rate = RATE
            for packet in audio.encode(frame):
                out.mux(packet)
        for packet in audio.encode(None):
            out.mux(packet)


def talking_frame(base: Image.Image, opening: float, size=(480, 264)) -> np.ndarray:
    """The portrait with its mouth open by ``opening`` (0 closed … 1 wide), for the clip to dub."""
    img = base.resize(size, Image.LANCZOS)
    d = ImageDraw.Draw(img)
    w, h = size
    cx, cy = w * 0.55, h * 0.63
    d.ellipse([cx - w * 0.05, cy - 3, cx + w * 0.05, cy + 3 + opening * h * 0.07], fill=(120, 40, 50))
    return np.asarray(img)


def write_talking_clip(path: Path, seconds: float = 2.5, fps: int = 24) -> None:
    """The portrait speaking (a lower voice than the example's song): the clip Dub video re-voices."""
    voice = singing(seconds) * 0.7
    t = np.arange(len(voice)) / RATE
    voice = np.interp(t * 0.8, t, voice)  # slower and lower than the song
    hop = RATE // fps
    loudness = np.array([np.abs(voice[i * hop:(i + 1) * hop]).mean() for i in range(int(seconds * fps))])
    loudness = loudness / max(loudness.max(), 1e-6)
    base = portrait()
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=fps, options={"crf": "26", "preset": "slow"})
        video.width, video.height, video.pix_fmt = 480, 264, "yuv420p"
        audio = out.add_stream("aac", rate=RATE, layout="mono")
        audio.bit_rate = 64_000
        for opening in loudness:
            for packet in video.encode(av.VideoFrame.from_ndarray(talking_frame(base, opening), format="rgb24")):
                out.mux(packet)
        for packet in video.encode(None):
            out.mux(packet)
        samples = voice.astype(np.float32)[None, :]
        for start in range(0, samples.shape[1], 1024):
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples[:, start:start + 1024]), format="fltp",
                                               layout="mono")
            frame.sample_rate = RATE
            for packet in audio.encode(frame):
                out.mux(packet)
        for packet in audio.encode(None):
            out.mux(packet)


# --- thumbnails ----------------------------------------------------------------------------------

def _font(size: int) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(FONT, size)
    except OSError:
        return ImageFont.load_default(size)


def _tile(picture: Image.Image, box: tuple[int, int, int, int]) -> tuple[Image.Image, Image.Image]:
    w, h = box[2] - box[0], box[3] - box[1]
    scale = max(w / picture.width, h / picture.height)
    fitted = picture.resize((round(picture.width * scale), round(picture.height * scale)), Image.LANCZOS)
    left, top = (fitted.width - w) // 2, (fitted.height - h) // 2
    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).rounded_rectangle([0, 0, w - 1, h - 1], 14, fill=255)
    return fitted.crop((left, top, left + w, top + h)), mask


def _wave_card(wave: np.ndarray, size=(480, 264), color=(120, 200, 255)) -> Image.Image:
    img = _gradient(size, (28, 36, 56), (40, 48, 72))
    d = ImageDraw.Draw(img)
    bars = 48
    chunks = np.array_split(np.abs(wave), bars)
    peak = max(c.max() for c in chunks)
    for k, c in enumerate(chunks):
        x = (k + 0.5) * size[0] / bars
        half = 0.42 * size[1] * c.max() / peak
        d.line([x, size[1] / 2 - half, x, size[1] / 2 + half], fill=color, width=5)
    return img


def _prompt_card(text: str, size=(472, 156)) -> Image.Image:
    img = _gradient(size, (36, 40, 52), (28, 30, 40))
    d = ImageDraw.Draw(img)
    font, words, lines = _font(18), text.split(), [""]
    for word in words:
        if d.textlength(lines[-1] + " " + word, font=font) > size[0] - 36:
            if len(lines) == 5:
                lines[-1] += " …"
                break
            lines.append(word)
        else:
            lines[-1] = (lines[-1] + " " + word).strip()
    d.multiline_text((18, 18), "\n".join(lines), font=font, fill=(220, 225, 235), spacing=7)
    return img


def thumbnail(title: str, inputs: list[Image.Image], result: Image.Image) -> Image.Image:
    """A square card (the Templates browser shows square cards): the example's inputs, an arrow,
    the video it makes, and the mode's name."""
    w, h = THUMB
    margin, gap = 20, 12
    img = _gradient(THUMB, (20, 24, 34), (36, 42, 60))
    d = ImageDraw.Draw(img)
    top, bottom = margin, 176
    width = (w - 2 * margin - gap * (len(inputs) - 1)) // len(inputs)
    for k, picture in enumerate(inputs):
        x = margin + k * (width + gap)
        tile, mask = _tile(picture, (x, top, x + width, bottom))
        img.paste(tile, (x, top), mask)
    d.text((w / 2, 196), "↓", font=_font(30), fill=(230, 230, 240), anchor="mm")
    box = (margin, 216, w - margin, 396)
    tile, mask = _tile(result, box)
    img.paste(tile, box[:2], mask)
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    d.polygon([(cx - 22, cy - 30), (cx - 22, cy + 30), (cx + 30, cy)], fill=(255, 255, 255))  # the result plays
    for k in range(18):  # film perforations
        for y in (box[1] + 8, box[3] - 16):
            d.rounded_rectangle([box[0] + 12 + k * 26, y, box[0] + 24 + k * 26, y + 8], 2, fill=(20, 24, 34))
    d.text((margin, 412), "LTX2.3 AIO", font=_font(22), fill=(110, 170, 255))
    size = 40
    while d.textlength(title, font=_font(size)) > w - 2 * margin:
        size -= 2
    d.text((margin, 444), title, font=_font(size), fill=(245, 245, 250))
    return img


def render_media(media_dir: Path) -> dict[str, Image.Image]:
    """Write the media; returns a picture of each for the thumbnails."""
    media_dir.mkdir(parents=True, exist_ok=True)
    pictures = {"ltx23_aio_portrait.png": portrait(), "ltx23_aio_lake_day.jpg": lake(dusk=False),
                "ltx23_aio_lake_dusk.jpg": lake(dusk=True), "ltx23_aio_watercolor.jpg": watercolor()}
    for name, picture in pictures.items():
        picture.save(media_dir / name, quality=88, optimize=True)
    sounds = {"ltx23_aio_drums.mp3": drums(), "ltx23_aio_singing.mp3": singing()}
    for name, wave in sounds.items():
        write_mp3(media_dir / name, wave)
        pictures[name] = _wave_card(wave)
    write_shapes_clip(media_dir / "ltx23_aio_shapes.mp4")
    pictures["ltx23_aio_shapes.mp4"] = Image.fromarray(shapes_frame(40, 24))
    write_talking_clip(media_dir / "ltx23_aio_talking.mp4")
    pictures["ltx23_aio_talking.mp4"] = Image.fromarray(talking_frame(pictures["ltx23_aio_portrait.png"], 0.8))
    return pictures


def main() -> None:
    load_pack()
    from ltx23_aio.nodes.modes import MODES
    from ltx23_aio.routes import EXAMPLE_MEDIA_DIR, EXAMPLES_DIR, example_name

    sys.path.insert(0, str(ROOT / "tools"))
    from example_workflows import EXAMPLES

    pictures = render_media(EXAMPLE_MEDIA_DIR)
    for mode in MODES.values():
        media = EXAMPLES[mode.id]["media"]
        inputs = [pictures[name] for name in media.values()] or [_prompt_card(EXAMPLES[mode.id]["prompt"])]
        # The result starts from the example's picture where it has one; else an empty reel.
        stills = [pictures[name] for name in media.values() if not name.endswith(".mp3")]
        result = stills[-1] if stills else _gradient((472, 180), (60, 70, 100), (30, 34, 50))
        if not mode.makes_video:  # the result is a sound
            result = _wave_card(drums(), color=(160, 230, 160))
        path = EXAMPLES_DIR / f"{example_name(mode)}.jpg"
        thumbnail(mode.title, inputs, result).save(path, quality=88, optimize=True)
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
