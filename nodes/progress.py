"""One progress bar and a stage name on the AIO node for its whole run (needs a running ComfyUI).

ComfyUI reports progress per executing node, and the frontend draws an inner node's progress on
the node it is displayed on, the lowest running one winning. Left alone, the AIO node's bar
restarts with every sampler and idles through decoding. A progress handler of this run, put
before ComfyUI's own so its changes are what the browser receives, rewrites every inner node's
share to the whole run's share and names the stage in the node's text.

The frontend (1.45) merges the running entries shown on one node into its bar: the lowest share
wins, except that a share of 0 gives way to the next. The AIO node's own entry (and the run node's,
for wired values) runs at 0 the whole time, so between two inner nodes it alone is running and the
bar drops to 0. Every running entry shown on the AIO node therefore carries the run's share.
"""
from __future__ import annotations

from comfy_execution.progress import NodeProgressState, NodeState, ProgressHandler, ProgressRegistry, get_progress_state
from server import PromptServer

from .stages import RunProgress, Stage, upstream

SCALE = 1000  # the bar's resolution: the frontend reads value / max


class RunProgressHandler(ProgressHandler):
    def __init__(self, node_id: str, graph: dict[str, dict], stage_of: dict[str, Stage], summary: str):
        super().__init__(f"ltx23_aio:{node_id}")
        self.node_id = node_id
        self.members = set(graph)
        self.progress = RunProgress(stage_of, upstream(graph))
        self.summary = summary
        self.shown = ""
        self.registry: ProgressRegistry | None = None

    def set_registry(self, registry: ProgressRegistry) -> None:
        self.registry = registry

    def _show(self, entry: NodeProgressState | None = None) -> None:
        value = round(self.progress.fraction * SCALE)
        if entry is not None:
            entry["value"], entry["max"] = value, SCALE
        if self.registry is not None:
            display = self.registry.dynprompt.get_display_node_id
            for node_id, other in self.registry.nodes.items():
                if other["state"] == NodeState.Running and display(node_id) == self.node_id:
                    other["value"], other["max"] = value, SCALE
        self._text()

    def _text(self) -> None:
        done = self.progress.done_all
        text = self.summary if done else f"{self.progress.text}\n{self.summary}" if self.progress.text else ""
        if text and text != self.shown:
            self.shown = text
            server = PromptServer.instance
            server.send_progress_text(text, self.node_id, server.client_id)

    def start_handler(self, node_id: str, state: NodeProgressState, prompt_id: str) -> None:
        if node_id in self.members:
            self.progress.start(node_id)
            self._show(state)

    def update_handler(self, node_id: str, value: float, max_value: float, state: NodeProgressState,
                       prompt_id: str, image=None) -> None:
        if node_id in self.members:
            self.progress.update(node_id, value, max_value)
            self._show(state)

    def finish_handler(self, node_id: str, state: NodeProgressState, prompt_id: str) -> None:
        if node_id in self.members and self.progress.finish(node_id):
            self._show()


def watch(node_id: str, graph: dict, stage_of: dict[str, Stage], summary: str) -> None:
    """Follow this run's inner nodes for the rest of the current prompt."""
    registry = get_progress_state()
    handler = RunProgressHandler(node_id, graph, stage_of, summary)
    handler.set_registry(registry)
    # First in line: ComfyUI's web handler then sends the run's share, not the node's own.
    others = {name: h for name, h in registry.handlers.items() if name != handler.name}
    registry.handlers = {handler.name: handler, **others}


def add_note(node_id: str, text: str) -> None:
    """Add a line under the summary the AIO node shows for this run (and shows once it is done)."""
    registry = get_progress_state()
    handler = registry.handlers.get(f"ltx23_aio:{node_id}") if registry is not None else None
    if isinstance(handler, RunProgressHandler):
        handler.summary += f"\n{text}"
        handler._text()
    else:
        server = PromptServer.instance
        server.send_progress_text(text, node_id, server.client_id)
