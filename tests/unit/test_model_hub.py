"""What the pack shows of HF_ENDPOINT: never the credentials a mirror's address may carry."""
from ltx23_aio.model_store.hub import Hub


def test_hub_shows_the_endpoint_without_credentials():
    hub = Hub("/tmp/hf", "https://mirror-user:p%40ss@mirror.example:8443/hf")
    assert hub.public_endpoint == "https://mirror.example:8443/hf"
    assert hub.public_url("o/r", "a b.safetensors") == "https://mirror.example:8443/hf/o/r/resolve/main/a%20b.safetensors"
    assert hub.file_url("o/r", "x").startswith("https://mirror-user:p%40ss@")  # what requests go to
    text = "ConnectError: [Errno 111] for url 'https://mirror-user:p%40ss@mirror.example:8443/hf/o/r' (http://a:b@c/d)"
    assert hub.public(text) == "ConnectError: [Errno 111] for url 'https://mirror.example:8443/hf/o/r' (http://c/d)"


def test_hub_without_credentials_is_shown_as_it_is():
    hub = Hub("/tmp/hf", "https://huggingface.co")
    assert hub.public_endpoint == "https://huggingface.co"
    assert hub.public("see https://huggingface.co/o/r") == "see https://huggingface.co/o/r"
