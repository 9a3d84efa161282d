"""Messages the frontend shows as written: no character its i18n escaping turns into an entity."""
from ltx23_aio.nodes.messages import PackError, for_frontend

ESCAPED = "&<>\"'/="  # what vue-i18n's escapeParameter replaces (frontend 1.45)


def test_paths_urls_and_quotes_keep_their_shape_without_escaped_characters():
    text = ("unknown preset 'Turbo'; file models/loras/x.safetensors from "
            "https://huggingface.co/Lightricks/LTX-2.3?a=1&b=2 says \"no\" <here>")
    shown = for_frontend(text)
    assert not set(shown) & set(ESCAPED)
    assert shown == ("unknown preset ‘Turbo’; file models∕loras∕x.safetensors from "
                     "https:∕∕huggingface.co∕Lightricks∕LTX-2.3?a＝1＆b＝2 says “no” ‹here›")


def test_an_apostrophe_inside_a_word_is_typographic():
    assert for_frontend("the node's help") == "the node’s help"
    assert for_frontend("the node's file 'x.png' isn't there") == "the node’s file ‘x.png’ isn’t there"


def test_the_error_type_comfyui_prints_is_the_packs_name():
    assert PackError.__module__ == "builtins" and PackError.__qualname__ == "LTX2.3 AIO"
    assert isinstance(PackError("x"), ValueError)
