"""The generation modes, as data: each becomes one super-node expanding ``workflows/modes/<id>.json``.

Besides the form every mode shares (``SHARED_DEFAULTS``), a mode lists its own inputs: media
(an upload widget plus an optional socket for graphs that compute the media), numbers and
choices. Their values reach the workflow as ``{"param": name}`` and media as ``{"media": name}``.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Mapping, Union

from .settings import LONG_SECONDS, MAX_FPS, MAX_SIZE, MIN_FPS, MIN_SIZE, WINDOW_SECONDS, max_frames

NODE_ID_PREFIX = "LTX23AIO_"
PACK_NAME = "LTX2.3 AIO"

@dataclass(frozen=True)
class SharedInput:
    """An input every mode has: one declaration for the node's widget, its help page and the
    example workflows. ``kind`` is the widget's: text, int, float or choice (options per mode)."""

    name: str
    kind: str
    default: object
    tooltip: str  # on the node
    help: str  # on the help page, where there is room for the why
    min: float | None = None
    max: float | None = None
    step: float | None = None
    multiline: bool = False
    placeholder: str | None = None  # shown in an empty text box


# The form every mode shares (the anchors' 1280×720 → 1280×704, 5 s at 24 fps). The negative
# prompt's texts depend on the mode's presets: see negative_prompt_text().
SHARED_INPUTS: tuple[SharedInput, ...] = (
    SharedInput("prompt", "text", "", "Describe the scene, the motion and the sound.",
                "what happens, how the camera moves, and what we hear (dialogue in quotes, ambience, music). "
                "LTX-2.3 follows long, concrete prompts best.", multiline=True,
                placeholder="What happens, how the camera moves, what we hear."),
    SharedInput("negative_prompt", "text", "pc game, console game, video game, cartoon, childish, ugly",
                "What to avoid.", "what to avoid.", multiline=True),
    SharedInput("width", "int", 1280, "Output width; snapped to a multiple of 64 (the value used is reported).",
                "the output width, snapped to the nearest multiple of 64 (1280 stays 1280); the size used is shown "
                "on the node, logged, and stored in the video's metadata.", MIN_SIZE, MAX_SIZE, 32),
    SharedInput("height", "int", 704, "Output height; snapped to a multiple of 64 (the value used is reported).",
                "the output height, snapped like the width (720 becomes 704).", MIN_SIZE, MAX_SIZE, 32),
    SharedInput("duration", "float", 5.0,
                f"Seconds: up to the model's {WINDOW_SECONDS} s window in one pass; Text, Image and Audio → Video "
                f"and Lipsync go up to {LONG_SECONDS} s in several windows. Frames = the 8n+1 nearest to "
                f"duration × fps + 1.",
                f"the clip length: frames are the 8n+1 nearest to duration × fps + 1 (5 s at 24 fps = 121 frames). "
                f"The model sees {WINDOW_SECONDS} seconds at a time ({max_frames(24)} frames at 24 fps, "
                f"{max_frames(25)} at 25; the node says the limit at other rates). Text → Video, Image → Video, "
                f"Audio → Video and Lipsync make longer clips, up to {LONG_SECONDS} s ({max_frames(24, LONG_SECONDS)} "
                f"frames at 24 fps), by sampling overlapping {WINDOW_SECONDS}-second windows (core "
                f"LTXVContextWindows): every step blends the windows, so sound and picture run on without a cut, "
                f"time grows with the number of windows and memory stays that of one window. The frame count and "
                f"the windows used are shown on the node.",
                0.1, float(LONG_SECONDS), 0.1),
    SharedInput("fps", "int", 24, "Frames per second; LTX-2.3 is trained at 24–25.",
                "frames per second of the clip (LTX-2.3 is trained at 24–25).", MIN_FPS, MAX_FPS, 1),
    SharedInput("seed", "int", 0, "Same seed, settings and files give the same video.",
                "same seed, settings and files give the same video.", 0, 0xFFFFFFFFFFFFFFFF, 1),
    SharedInput("preset", "choice", "Fast", "Fast, Balanced or Quality: the node's help says what each runs.",
                "Fast, Balanced or Quality (below)."),
    SharedInput("models", "choice", "auto", "Model set: which files to load. auto picks by GPU and says why.",
                "the model set: which files load. `auto` picks a built-in set from the GPU's memory and compute "
                "capability and says which and why; your own sets are JSON files (README)."),
    SharedInput("filename_prefix", "text", "LTX2.3-AIO/{mode}",
                "Where the mp4 goes, under ComfyUI's output folder.",
                "where the mp4 goes under ComfyUI's output folder: the default `LTX2.3-AIO/<mode>` saves "
                "`output/LTX2.3-AIO/<mode>_00001_.mp4`, then `_00002_` and so on."),
)
# The defaults of the form, without the prefix (it names the mode: see Mode.defaults' callers).
SHARED_DEFAULTS = MappingProxyType({i.name: i.default for i in SHARED_INPUTS if i.name != "filename_prefix"})


@dataclass(frozen=True)
class MediaInput:
    """A picture, sound or clip: chosen with an upload widget, or wired into ``<name>_input``."""

    name: str
    kind: str  # "image" | "audio" | "video"
    tooltip: str
    # Read before the run (its length, size, rate shape the clip): a file only, the socket refuses.
    file_only: bool = False

    @property
    def socket(self) -> str:
        return f"{self.name}_input"


@dataclass(frozen=True)
class NumberInput:
    name: str
    default: float
    min: float
    max: float
    step: float
    tooltip: str


@dataclass(frozen=True)
class ChoiceInput:
    name: str
    options: tuple[str, ...]
    tooltip: str

    @property
    def default(self) -> str:
        return self.options[0]


ModeInput = Union[MediaInput, NumberInput, ChoiceInput]


@dataclass(frozen=True)
class FileChoice:
    """A file from one of ComfyUI's model folders; the list is read when the node is drawn."""

    name: str
    folder: str
    tooltip: str


@dataclass(frozen=True)
class ListInput:
    """Any number of rows of a few inputs each: a count to choose, which shows that many rows (core's
    DynamicCombo, as core's multi-keyframe and multi-speaker nodes do). A row's inputs are named
    ``<field><number>``; ``fixed`` items the count includes are inputs of the mode, not rows (a
    keyframe count includes the first and last image), so rows are numbered from ``fixed`` on."""

    name: str
    tooltip: str
    help: str
    fields: tuple[Union[MediaInput, NumberInput, FileChoice], ...]
    most: int
    least: int = 0
    fixed: int = 0
    spread: str | None = None  # a field (seconds) whose defaults spread the rows over the default clip

    @property
    def default(self) -> str:
        return str(self.least)

    @property
    def counts(self) -> tuple[str, ...]:
        return tuple(str(c) for c in range(self.least, self.most + 1))

    def rows(self, count: int) -> range:
        first = 2 if self.fixed else 1  # the first fixed item is number 1
        return range(first, first + count - self.fixed)

    def field_default(self, field: NumberInput, number: int, count: int) -> float:
        if field.name != self.spread:
            return field.default
        # Evenly between the first and the last frame of the default clip.
        return round(SHARED_DEFAULTS["duration"] * (number - 1) / (count - 1), 2)


# Your own LoRAs, on every mode (the pass each applies to is said in the help: see LORAS_HELP).
LORAS = ListInput(
    "loras", "How many of your LoRAs (from ComfyUI's loras folders) to apply to the video model, each with "
    "its strength. Changing them does not reload the model.",
    "your own LoRAs (camera moves, styles, characters) from ComfyUI's `loras` folders (models/loras and "
    "any folder extra_model_paths.yaml adds): choose how many, then each file and its strength. They patch "
    "the video model in every sampling pass of every preset, under the pack's distilled LoRA (and, in "
    "Style transfer, under the IC-LoRA, which is applied last as its control needs); a file that is not "
    "in a loras folder is refused when you queue. Changing a LoRA or its strength re-runs only the passes, "
    "not the model or text-encoder loaders.",
    (FileChoice("lora_name", "loras", "A LoRA file from ComfyUI's loras folders."),
     NumberInput("lora_strength", 1.0, -10.0, 10.0, 0.01,
                 "How strongly this LoRA patches the video model (1 = as trained; negative inverts it).")),
    most=10)

# How each kind of media is loaded when it comes from the upload widget: (core node, its input).
MEDIA_LOADERS: Mapping[str, tuple[str, str]] = MappingProxyType({
    "image": ("LoadImage", "image"),
    "audio": ("LoadAudio", "audio"),
    "video": ("LoadVideo", "file"),
})


@dataclass(frozen=True)
class Mode:
    id: str
    title: str
    node_name: str  # node id without the pack prefix
    description: str
    inputs: tuple[ModeInput, ...] = ()
    tips: tuple[str, ...] = ()  # advice for the node's help page
    token_factor: int = 1  # how many times the video's tokens the model sees (guides add their own)
    own_lists: tuple[ListInput, ...] = ()  # rows of inputs only this mode has (keyframes)
    # "extend" or "retake": the mode works on its source video, whose length, size and rate shape
    # the clip (nodes/source_clip.py); None for modes that make a new clip.
    edits_source: str | None = None
    long_clips: bool = False  # clips longer than the model's window, in several windows
    # The node's outputs (OUTPUT_TYPES), in order; every mode ends with the prompt it ran.
    outputs: tuple[str, ...] = ("video", "images", "audio", "prompt")
    # Shared inputs this mode does not show, with the value it runs with (an audio-only mode has no size);
    # pairs, so that a mode stays hashable.
    fixed_inputs: tuple[tuple[str, object], ...] = ()
    follows_source: bool = False  # the clip is the whole source video: its frame rate and length
    # Shared inputs that mean something else in this mode: (name, tooltip, help).
    shared_texts: tuple[tuple[str, str, str], ...] = ()

    @property
    def node_id(self) -> str:
        return NODE_ID_PREFIX + self.node_name

    @property
    def longest_seconds(self) -> float:
        return LONG_SECONDS if self.long_clips else WINDOW_SECONDS

    @property
    def display_name(self) -> str:
        return f"{PACK_NAME} · {self.title}"

    @property
    def media(self) -> tuple[MediaInput, ...]:
        return tuple(i for i in self.inputs if isinstance(i, MediaInput))

    @property
    def lists(self) -> tuple[ListInput, ...]:
        """The mode's rows of inputs, then the LoRAs every mode has; last on the node, so the
        widget values of workflows saved before them still load in place."""
        return (*self.own_lists, LORAS)

    @property
    def source_shaping(self) -> tuple[str, ...]:
        """Own numbers that decide frame counts and ranges (Extend's context, Retake's range)."""
        return tuple(i.name for i in self.inputs if isinstance(i, NumberInput)) if self.edits_source else ()

    @property
    def defaults(self) -> dict:
        """Every input's default, the shared ones included; media have none."""
        values = dict(SHARED_DEFAULTS)
        values.update({i.name: i.default for i in self.inputs if not isinstance(i, MediaInput)})
        values.update({i.name: i.default for i in self.lists})
        values.update(self.fixed)
        return values

    @property
    def fixed(self) -> dict:
        return dict(self.fixed_inputs)

    @property
    def shared(self) -> tuple[SharedInput, ...]:
        """The shared inputs this mode's node shows, with this mode's texts."""
        texts = {name: (tooltip, help_) for name, tooltip, help_ in self.shared_texts}
        return tuple(replace(i, tooltip=texts[i.name][0], help=texts[i.name][1]) if i.name in texts else i
                     for i in SHARED_INPUTS if i.name not in self.fixed)

    @property
    def makes_video(self) -> bool:
        return "video" in self.outputs


IMAGE_STRENGTH = NumberInput(
    "image_strength", 0.7, 0.0, 1.0, 0.05,
    "How strongly the first frame holds to the image (1 = exactly the image). Lower it if the clip "
    "comes out static; the prompt should describe the motion.")
AUDIO_START = NumberInput(
    "audio_start", 0.0, 0.0, 3600.0, 0.01,
    "Where in the audio the clip starts, in seconds. The audio is cut to the clip's length and "
    "padded with silence if it ends sooner.")

SOURCE_VIDEO = MediaInput("video", "video", "The source video, with its sound. Choose a file: its length, size and "
                                             "frame rate are read before the run.", file_only=True)

MODES: Mapping[str, Mode] = MappingProxyType({
    m.id: m for m in (
        Mode("t2v", "Text → Video", "TextToVideo",
             "A video with sound from a prompt. Describe the scene, the motion and the audio.",
             long_clips=True),
        Mode("i2v", "Image → Video", "ImageToVideo",
             "Animates a still image into a video with sound. Describe the motion, not the picture.",
             (MediaInput("image", "image", "The first frame; resized and center-cropped to the output size."),
              IMAGE_STRENGTH),
             ("Describe what moves and how the camera moves, not what the picture already shows: a "
              "prompt that only describes the image tends to give a static clip.",
              "If the clip still barely moves, lower image_strength (0.5–0.6); at 1.0 the first frame "
              "is exactly the image.",
              f"Above {WINDOW_SECONDS} s every window also sees the image (in front of it, removed again), "
              "so later windows keep its look."),
             long_clips=True),
        Mode("a2v", "Audio → Video", "AudioToVideo",
             "A video made to your sound: the audio is kept as it is and the picture follows it.",
             (MediaInput("audio", "audio", "The soundtrack; kept unchanged in the result."), AUDIO_START),
             ("The audio is frozen while sampling (a zero noise mask on its latent), so the picture "
              "is generated to fit it, and the mp4 carries your waveform, not a re-decoded one.",
              "The clip's length comes from duration × fps; the audio is cut from audio_start to that "
              "length and padded with silence if it ends sooner, so the video is never cut short.",
              f"Up to {LONG_SECONDS} s: above {WINDOW_SECONDS} s the picture is sampled in overlapping windows "
              "while your audio stays one piece, sample for sample."),
             long_clips=True),
        Mode("lipsync", "Lipsync", "Lipsync",
             "A portrait that speaks or sings your audio: the image gives the face, the audio is kept.",
             (MediaInput("image", "image", "The portrait; resized and center-cropped to the output size."),
              MediaInput("audio", "audio", "The speech or song; kept unchanged in the result."),
              IMAGE_STRENGTH, AUDIO_START),
             ("A front-facing portrait with the mouth visible works best; the image is the first frame.",
              "The speech is kept unchanged and frozen while sampling, so the face is animated to it; "
              "describe the speaker and their expression in the prompt.",
              f"Up to {LONG_SECONDS} s: above {WINDOW_SECONDS} s every window also sees the portrait, and "
              "the speech stays one piece, sample for sample."),
             long_clips=True),
        Mode("keyframe", "First/Last frame → Video", "FirstLastFrameToVideo",
             "A video that starts on one image and ends on another, through any images you add in between "
             "at the times you choose, with generated sound.",
             (MediaInput("first_image", "image", "The first frame."),
              MediaInput("last_image", "image", "The last frame."),
              NumberInput("first_strength", 1.0, 0.0, 1.0, 0.05, "How strongly the clip starts on the first image."),
              NumberInput("last_strength", 0.9, 0.0, 1.0, 0.05, "How strongly the clip ends on the last image.")),
             ("The images are added as guides to the video latent in both stages and removed "
              "again before the upscale and before decoding, so you get exactly the frames you asked for.",
              "More keyframes: set keyframes to 3 or more and give each image between the first and the "
              "last its time in seconds from the start (0 = the first frame) and its strength. A time "
              "past the clip's end, two images on the same frame, or an unreadable image is refused "
              "when you queue.",
              "Describe the motion between the frames; very different images need a longer clip."),
             own_lists=(ListInput(
                 "keyframes", "How many images the clip goes through: the first and last above, plus one row "
                 "per image in between, each at its time.",
                 "how many images the clip goes through, the first and last image included (2 = just those, "
                 "the default); each image in between gets a row: the image, its time in seconds from the "
                 "start (rounded to the nearest frame; it must fall strictly between the first and the last "
                 "frame) and how strongly the clip holds to it.",
                 (MediaInput("image", "image", "An image the clip passes through; resized and center-cropped."),
                  NumberInput("time", 2.5, 0.0, 20.0, 0.01,
                              "When the clip shows this image, in seconds from the start (0 = the first frame)."),
                  NumberInput("strength", 0.9, 0.0, 1.0, 0.05, "How strongly the clip holds to this image.")),
                 most=10, least=2, fixed=2, spread="time"),)),
        Mode("style", "Style transfer", "StyleTransfer",
             "Restyles a video: its motion and structure (its edges, depth or pose) are kept, the look "
             "comes from a style image and the prompt, and its sound is kept.",
             (MediaInput("video", "video", "The source video: motion, structure and sound."),
              MediaInput("style_image", "image", "The look to give it; used as the first frame."),
              ChoiceInput("control", ("canny", "depth", "pose"),
                          "What of the source video guides the result: canny = its edges, depth = its depth "
                          "map (MoGe), pose = its people's poses (SDPose). Depth and pose load a model of "
                          "their own (in every model set)."),
              NumberInput("control_strength", 1.0, 0.0, 1.0, 0.05,
                          "How closely the result follows the source's structure. 1.0, as in every official "
                          "IC-LoRA workflow; lower leaves the guide partly noised, for a looser follow."),
              NumberInput("video_start", 0.0, 0.0, 3600.0, 0.01, "Where in the source video the clip starts, in seconds.")),
             ("Uses the LTX-2.3 IC-LoRA union control, which works with the distilled model only: every "
              "preset samples at cfg 1 with the distilled LoRA, the IC-LoRA applied last.",
              "The clip follows the source: its own frame rate is used, exactly (12.5 stays 12.5, so "
              "the picture keeps in step with the source's sound), duration is counted in its frames, "
              "and if the source is shorter the clip is shortened to it (reported on the node). "
              "Sources above 60 fps are refused: convert them to 24–30 fps first. A video wired into "
              "video_input is used at the node's fps and duration.",
              "The heaviest mode: the control guide doubles the tokens the model sees, so it needs more "
              "memory and time than Text → Video at the same size; the node warns above 1280×704 × 121 "
              "frames."),
             token_factor=2),
        Mode("extend", "Extend video", "ExtendVideo",
             "Continues a video with its sound: the source's last frames and audio lead into new ones "
             "from your prompt, and the result is the source followed by the continuation.",
             (SOURCE_VIDEO,
              ChoiceInput("output", ("source + continuation", "continuation only"),
                          "The whole clip (the source untouched, then the new part), or the new part alone."),
              NumberInput("context_seconds", 1.0, 0.3, 10.0, 0.1,
                          "How much of the source's end (picture and sound) the new part continues from; "
                          "snapped to 8n+1 frames.")),
             ("duration is the length to add; the frame rate and size follow the source video (reported "
              "on the node). The new part is sampled together with the source's last context_seconds, "
              "frozen (picture and sound), so it picks up where the source ends.",
              "The output's source part is the source's own decoded frames and waveform, copied through; "
              "only the continuation is generated. Describe what happens next, not the source.",
              "The context plus the added length must fit the model's 20-second window."),
             edits_source="extend"),
        Mode("retake", "Retake", "Retake",
             "Regenerates a moment of a video from your prompt: the time range you set is made anew "
             "(picture, sound or both) and everything outside it is kept.",
             (SOURCE_VIDEO,
              NumberInput("start", 1.0, 0.0, 3600.0, 0.01, "Where the retake starts, in seconds of the source."),
              NumberInput("end", 2.0, 0.0, 3600.0, 0.01, "Where the retake ends, in seconds of the source."),
              ChoiceInput("regenerate", ("video and audio", "video only", "audio only"),
                          "What to make anew inside the range; the rest is kept.")),
             ("Lightricks' RetakePipeline with core nodes: the whole source is encoded, a noise mask by "
              "time (the pack's own node) unfreezes the range, and one pass at full size regenerates it. "
              "Outside the range the latent stays exactly the source's, so the seams match.",
              "The output has the source's length, size and frame rate (a length that is not 8n+1 frames "
              "is cut to the 8n+1 below it, reported on the node); width, height, duration and fps on the "
              "node are not used. The whole source must fit the model's 20-second window.",
              "Everything is decoded again, so outside the range the picture and sound are the source "
              "after one VAE round trip, as in Lightricks' pipeline."),
             edits_source="retake"),
        Mode("dub", "Dub video", "DubVideo",
             "Re-voices a video: its picture is kept, the lips follow your new audio, and the new audio "
             "is muxed in unchanged.",
             (MediaInput("video", "video", "The source video: its picture, frame rate and length; its own "
                                           "sound is the voice reference."),
              MediaInput("audio", "audio", "The new speech; kept unchanged in the result."),
              AUDIO_START),
             ("Uses Lightricks' DubIt IC-LoRA: the source video guides both stages (LTXVAddGuide with the "
              "IC-LoRA's own parameters) and its own sound is given as a reference (LTXVReferenceAudio), "
              "as in Lightricks' DubItPipeline and Lipdub example. Unlike them, the new speech is yours: it "
              "is frozen while sampling (as in Audio → Video) instead of generated from the prompt.",
              "The result has the source's frame rate and frame count: an uploaded source is used whole, "
              "its frame count rounded down to 8n+1 (at most 7 frames, reported on the node); one run "
              "dubs up to the model's 20 s window. A video wired into video_input is used at the node's "
              "fps and duration.",
              "The new audio must cover the clip: it is cut from audio_start to the clip's length; audio "
              "that is shorter is refused when you queue (wired audio is padded with silence instead).",
              "Describe the speaker and what they say in the prompt; the source's sound must be present "
              "(it is the voice reference)."),
             token_factor=2, follows_source=True),
        Mode("t2a", "Text → Audio", "TextToAudio",
             "Sound from a prompt: sound effects, music or speech, saved as an audio file.",
             tips=("The video side of the model is switched off (Lightricks' audio-only mode): the sampler "
                   "gets a one-frame 64×64 placeholder video latent that the model never attends to, so the "
                   "node has no size or frame rate; duration is the length of the audio.",
                   "Describe the sound as you would in a video prompt: what is heard, the voice and what it "
                   "says (in quotes), the music's instruments and mood, the room."),
             outputs=("audio", "prompt"), fixed_inputs=(("width", 64), ("height", 64), ("fps", 25)),
             shared_texts=(
                 ("prompt", "Describe the sound: what is heard, the voice and its words, the music, the room.",
                  "what we hear: sound effects, a voice and what it says (in quotes), music (instruments, mood), "
                  "the space it sounds in. LTX-2.3 follows long, concrete prompts best."),
                 ("duration", f"Seconds of audio, up to the model's {WINDOW_SECONDS} s window; the file is exactly "
                              f"this long.",
                  f"the length of the audio, up to the model's {WINDOW_SECONDS}-second window: the audio is "
                  f"generated a little longer (whole latent steps of 40 ms) and cut to exactly this length."),
                 ("filename_prefix", "Where the audio file (FLAC) goes, under ComfyUI's output folder.",
                  "where the audio goes under ComfyUI's output folder (core SaveAudio, FLAC): the default "
                  "`LTX2.3-AIO/<mode>` saves `output/LTX2.3-AIO/<mode>_00001_.flac`, then `_00002_` and so on."),
                 ("seed", "Same seed, settings and files give the same audio.",
                  "same seed, settings and files give the same audio."))),
    )
})
