"""Interactive translation widgets (ipywidgets): a translator that translates as you type, and
a step-through view of the decoder choosing one token (character, word or subword piece) at a
time.

Used in: ``08_translation_playground`` (and in 02 / 04 where they help). Building widgets is
plumbing, not a concept the course teaches, so no notebook writes this module out.

Both widgets take a loaded translation model (:func:`helpers.models.load_translation_model`)
and go through :mod:`helpers.decoding`, so what they show is what
:func:`helpers.translation.translate` returns. Whatever a person types, they show a message and
never a traceback: empty text, characters the model never saw (highlighted, then left out),
text longer than the model reads (cut, with a notice), emoji and other scripts. They work for
every model the course builds: LSTM and GRU, with or without attention, characters or words
(notebook 06's word-level models: the shading, the unknowns and the steps are words and
punctuation marks), and the Transformer of notebook 07, which reads and writes subword pieces
(:class:`helpers.encoding.SubwordVocabulary`): the shading is one span per piece written (its
space inside it), each step writes a piece, the length limit counts pieces, and an axis or a
table shows a piece as :func:`helpers.decoding.display_token` does (``"▁gentil"``: ``"▁"``
starts a word); a character no piece holds is left out, and said, as for a character model.

For an attention model (the LSTM with attention, the Transformer) both also show where the model
looks: the translator draws the attention map of its translation (French tokens × English
tokens, :func:`attention_html`), the step-through shades the English sentence by the weight of
each token at the current step (:func:`source_attention_html`). For a model with several
attention heads (:func:`helpers.translation.attention_heads`), the translator's menu
(``Translator.head``: :data:`ALL_HEADS` for their mean, or a head's number) chooses which map it
draws; the step-through shows their mean. The widgets know a model by its architecture record
and its vocabulary, never by its family's module. ``StepThrough(model,
follow=translator_widget)`` makes the step-through decode whatever the translator translates.

Both switch to another model in place: ``translator_widget.set_model(model)`` (the heads menu
appears, changes or goes with the model's heads, the text is translated again, and a
step-through that follows the translator switches with it), and :class:`ModelMenu` is the menu
a person switches with: ``ModelMenu({"Transformer": transformer, "LSTM with attention":
attention_model}, translator_widget)`` (:func:`describe_model` gives one line on each model).

Every part carries a CSS class (``s2s-translator-input``, ``s2s-translation``, ``s2s-candidate``,
``s2s-att-row`` …) so that tests can find it, and large type (20 px and up) so that a class can
read it on a projector. In Voilà (``make app``) the page shows the widgets and nothing else: its
template, ``share/jupyter/voila/templates/s2s-playground``, leaves the other cells out and lays
the translator (the menu of models above it) and the step-through out side by side, their type
growing with the screen.

Where widgets do not render (GitHub, nbviewer without the widget state, an HTML export), a
displayed widget still shows what it showed when its cell ran: its display output carries, next
to the live view, a static copy as ``text/html`` (:meth:`Translator.static_html`,
:meth:`StepThrough.static_html`; :class:`WithStaticCopy` does the same for any widget). The copy
is self-contained (inline styles, no ``<style>``, every text escaped) and writes its numbers out,
so it still reads where the styles are stripped too.

The widgets are in pieces, one subject each, and this module gathers their public names (import
them from here): :class:`Translator` is in :mod:`helpers.widget_translator`,
:class:`StepThrough` in :mod:`helpers.widget_steps`, the menu of models and
the switching in :mod:`helpers.widget_models`, the HTML they show in
:mod:`helpers.widget_html` (its stylesheet, :data:`CSS`, is the file ``helpers/widgets.css``),
the static copies in :mod:`helpers.widget_static`, and what they make of the text typed (and
the notes that say so) in :mod:`helpers.widget_input`.
"""

from __future__ import annotations

from helpers.widget_html import CSS, attention_html, confidence_html, source_attention_html
from helpers.widget_input import unknown_html
from helpers.widget_models import ALL_HEADS, ModelMenu, check_models, describe_model
from helpers.widget_static import (
    STATIC_MAX_STEPS,
    WithStaticCopy,
    steps_static_html,
    translation_static_html,
)
from helpers.widget_steps import StepThrough
from helpers.widget_translator import (
    DEFAULT_MODE,
    MAX_ATTENTION_CELLS,
    MODE_NAMES,
    MODES,
    Translator,
)

__all__ = ["ALL_HEADS", "CSS", "DEFAULT_MODE", "MAX_ATTENTION_CELLS", "MODES", "MODE_NAMES",
           "STATIC_MAX_STEPS", "ModelMenu", "StepThrough", "Translator", "WithStaticCopy",
           "attention_html", "check_models", "confidence_html", "describe_model",
           "source_attention_html", "steps_static_html", "translation_static_html",
           "unknown_html"]
