"""How a model holds up on text as people type it: the held-out course sentences lower-cased,
without their final punctuation, with one typo, with names the corpus never uses, and
everyday sentences that are not in the corpus at all.

Used in: ``python -m benchmarks.robustness`` and the model cards (:mod:`helpers.pretrained`
scores every model with :func:`robustness_scores`). The changes themselves are
:mod:`helpers.augmentation`'s; here they are applied to held-out sentences, with fixed seeds,
so that every run scores the same inputs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from helpers import evaluation
from helpers.augmentation import (
    HELD_OUT_NAMES,
    add_typo,
    drop_final_punctuation,
    lower_case,
    names_in,
    swap_names,
)

#: Everyday sentences a class might type that are *not* in the corpus, each with the
#: French translations a careful translator accepts (tu and vous, il and elle where the English
#: does not say). Their names are :data:`~helpers.augmentation.HELD_OUT_NAMES`, never trained on.
NOVEL_SENTENCES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("I am cold and hungry.", ("J'ai froid et faim.", "J'ai froid et j'ai faim.")),
    ("My name is Ahmed.", ("Je m'appelle Ahmed.", "Mon nom est Ahmed.")),
    ("My name is Priya.", ("Je m'appelle Priya.", "Mon nom est Priya.")),
    ("Where is my phone?", ("Où est mon téléphone ?", "Où est mon portable ?")),
    ("The teacher is here.", ("Le professeur est ici.", "La professeure est ici.",
                              "Le professeur est là.", "La professeure est là.",
                              "L'enseignant est ici.", "L'enseignante est ici.",
                              "L'enseignant est là.", "L'enseignante est là.",
                              "Le prof est là.", "La prof est là.", "Le prof est ici.",
                              "La prof est ici.")),
    ("Ahmed is my friend.", ("Ahmed est mon ami.", "Ahmed est mon copain.")),
    ("Fatima is a doctor.", ("Fatima est médecin.", "Fatima est docteur.",
                             "Fatima est un médecin.")),
    ("I live in Lyon.", ("J'habite à Lyon.", "Je vis à Lyon.")),
    ("I like green tea.", ("J'aime le thé vert.",)),
    ("The bus is late.", ("Le bus est en retard.", "L'autobus est en retard.",
                          "Le car est en retard.")),
    ("Open your books.", ("Ouvrez vos livres.", "Ouvre tes livres.")),
    ("The class starts at nine.", ("Le cours commence à neuf heures.",
                                   "La classe commence à neuf heures.",
                                   "Le cours commence à 9 heures.",
                                   "Le cours commence à 9 h.")),
    ("I forgot my homework.", ("J'ai oublié mes devoirs.",)),
    ("Can I go to the toilet?", ("Puis-je aller aux toilettes ?",
                                 "Est-ce que je peux aller aux toilettes ?",
                                 "Je peux aller aux toilettes ?")),
    ("It is raining today.", ("Il pleut aujourd'hui.",)),
    ("My brother is tall.", ("Mon frère est grand.",)),
    ("We are learning French.", ("Nous apprenons le français.", "On apprend le français.")),
    ("The window is closed.", ("La fenêtre est fermée.",)),
    ("I want a glass of water.", ("Je veux un verre d'eau.", "Je voudrais un verre d'eau.")),
    ("I don't understand the question.", ("Je ne comprends pas la question.",)),
    ("Please speak slowly.", ("Parlez lentement, s'il vous plaît.",
                              "Parle lentement, s'il te plaît.",
                              "S'il vous plaît, parlez lentement.",
                              "S'il te plaît, parle lentement.", "Veuillez parler lentement.")),
    ("Can you repeat that?", ("Pouvez-vous répéter ?", "Peux-tu répéter ?",
                              "Pouvez-vous répéter cela ?", "Peux-tu répéter cela ?",
                              "Pouvez-vous répéter ça ?", "Peux-tu répéter ça ?",
                              "Vous pouvez répéter ?", "Tu peux répéter ?")),
    ("The computer is broken.", ("L'ordinateur est cassé.", "L'ordinateur est en panne.")),
    ("She has three cats.", ("Elle a trois chats.",)),
    ("My mother works in a hospital.", ("Ma mère travaille dans un hôpital.",
                                        "Ma mère travaille à l'hôpital.")),
    ("The movie was very good.", ("Le film était très bon.", "Le film était très bien.",
                                  "Le film a été très bon.")),
    ("We are going to the beach.", ("Nous allons à la plage.", "On va à la plage.")),
    ("The shop is closed.", ("Le magasin est fermé.", "La boutique est fermée.")),
    ("Is this your bag?", ("Est-ce ton sac ?", "Est-ce votre sac ?", "C'est ton sac ?",
                           "C'est votre sac ?", "Est-ce que c'est ton sac ?",
                           "Est-ce que c'est votre sac ?", "Ce sac est-il à toi ?",
                           "Ce sac est-il à vous ?")),
    ("The test is tomorrow.", ("Le contrôle est demain.", "L'examen est demain.",
                               "Le test est demain.", "L'examen a lieu demain.")),
    ("I am from Kenya.", ("Je viens du Kenya.", "Je suis du Kenya.",
                          "Je suis originaire du Kenya.")),
    ("Layla likes music.", ("Layla aime la musique.",)),
    ("Kofi plays football.", ("Kofi joue au football.", "Kofi joue au foot.")),
    ("My dog is sleeping.", ("Mon chien dort.", "Mon chien est en train de dormir.")),
    ("I eat an apple every day.", ("Je mange une pomme chaque jour.",
                                   "Je mange une pomme tous les jours.")),
    ("The train is leaving.", ("Le train part.", "Le train s'en va.",
                               "Le train est en train de partir.")),
    ("I am learning to cook.", ("J'apprends à cuisiner.", "J'apprends à faire la cuisine.")),
    ("My bike is red.", ("Mon vélo est rouge.",)),
    ("Our school is big.", ("Notre école est grande.",)),
    ("See you next week.", ("À la semaine prochaine !", "À la semaine prochaine.")),
    ("I am twelve years old.", ("J'ai douze ans.",)),
    ("We have a test today.", ("Nous avons un contrôle aujourd'hui.",
                               "Nous avons un examen aujourd'hui.",
                               "On a un contrôle aujourd'hui.", "On a un examen aujourd'hui.",
                               "Nous avons un test aujourd'hui.", "On a un test aujourd'hui.")),
    ("My friend Zainab is sick.", ("Mon amie Zainab est malade.",)),
    ("Where is Kwame?", ("Où est Kwame ?",)),
    ("Arjun is hungry.", ("Arjun a faim.",)),
)

#: The variants of the held-out sentences, in the order the benchmark prints them.
VARIANTS = ("clean", "lower", "nopunct", "typo")


def variant(sources: Sequence[str], which: str, *, seed: int = 0) -> list[str]:
    """The held-out ``sources`` as written (``"clean"``), lower-cased (``"lower"``), without
    final punctuation (``"nopunct"``) or with two neighbouring letters of one word swapped
    (``"typo"``; sentence ``i`` draws its typo from ``seed + i``, so it is the same every run)."""
    if which == "clean":
        return list(sources)
    if which == "lower":
        return [lower_case(s) for s in sources]
    if which == "nopunct":
        return [drop_final_punctuation(s) for s in sources]
    if which == "typo":
        return [add_typo(s, np.random.default_rng(seed + i), kind="swap")
                for i, s in enumerate(sources)]
    raise ValueError(f"which must be one of {VARIANTS}, not {which!r}")


@dataclass(frozen=True)
class NamedSet:
    """Held-out sentences that name somebody, with every name replaced by a held-out one."""

    clean_sources: list[str]
    clean_references: list[list[str]]
    sources: list[str]
    references: list[list[str]]
    names: list[tuple[str, ...]]  # the new names of each sentence


def named_set() -> NamedSet:
    """Every sentence of the course test part whose English and a French reference name one of
    the corpus's people (Tom, Mary, John, Alice), and the same sentences with those people
    renamed from :data:`~helpers.augmentation.HELD_OUT_NAMES` in turn, in the English and in
    every reference."""
    sources, references = evaluation.heldout_set("course", 100_000)
    out = NamedSet([], [], [], [], [])
    turn = 0
    for source, refs in zip(sources, references, strict=True):
        found = sorted({name for ref in refs for name in names_in(source, ref)})
        if not found:
            continue
        new = {}
        for old in found:
            new[old] = HELD_OUT_NAMES[turn % len(HELD_OUT_NAMES)]
            turn += 1
        out.clean_sources.append(source)
        out.clean_references.append(list(refs))
        english, _ = swap_names(source, "", new)
        out.sources.append(english)
        out.references.append([swap_names("", ref, new)[1] for ref in refs])
        out.names.append(tuple(new.values()))
    return out


def names_carried(outputs: Sequence[str], names: Sequence[Sequence[str]]) -> float:
    """Percentage of outputs that write every one of their sentence's names exactly (as a
    whole word)."""
    carried = [all(re.search(rf"\b{re.escape(n)}\b", out) for n in wanted)
               for out, wanted in zip(outputs, names, strict=True)]
    return 100.0 * sum(carried) / max(len(carried), 1)


def robustness_scores(run: Callable[[list[str]], list[str]], *, count: int = 1000
                      ) -> dict[str, dict[str, float]]:
    """Scores of ``run`` (``list[str] -> list[str]``, e.g.
    :func:`helpers.pretrained.model_translate`) on the first ``count`` course held-out
    sentences in each :data:`VARIANTS` form, on :func:`named_set` (its sentences as written,
    ``names_clean``, and renamed, ``names``) and on :data:`NOVEL_SENTENCES` (``novel``).

    Each entry has ``chrF``, ``BLEU``, ``exact match %``, ``sentences`` and, for variants,
    ``same as clean %`` (outputs identical to the clean input's); ``names`` also has
    ``carried %`` (:func:`names_carried`)."""
    sources, references = evaluation.heldout_set("course", count)
    results: dict[str, dict[str, float]] = {}
    clean_outputs: list[str] = []
    for which in VARIANTS:
        outputs = run(variant(sources, which))
        if which == "clean":
            clean_outputs = outputs
        same = sum(a == b for a, b in zip(outputs, clean_outputs, strict=True))
        results[which] = {**evaluation.corpus_scores(outputs, references).as_dict(),
                          "same as clean %": 100.0 * same / len(outputs)}
    named = named_set()
    results["names_clean"] = evaluation.corpus_scores(
        run(named.clean_sources), named.clean_references).as_dict()
    outputs = run(named.sources)
    results["names"] = {**evaluation.corpus_scores(outputs, named.references).as_dict(),
                        "carried %": names_carried(outputs, named.names)}
    novel_sources = [e for e, _ in NOVEL_SENTENCES]
    results["novel"] = evaluation.corpus_scores(
        run(novel_sources), [list(refs) for _, refs in NOVEL_SENTENCES]).as_dict()
    return results


def with_costs(results: dict[str, dict[str, float]]) -> dict[str, Any]:
    """:func:`robustness_scores`' ``results`` with ``costs``: the chrF each change loses
    (lower case, no final punctuation, a typo against clean input; new names against the same
    sentences with the corpus's names), as issue 20's goals count them."""
    clean = results["clean"]["chrF"]
    return {**results, "costs": {
        "lower": round(clean - results["lower"]["chrF"], 2),
        "nopunct": round(clean - results["nopunct"]["chrF"], 2),
        "typo": round(clean - results["typo"]["chrF"], 2),
        "names": round(results["names_clean"]["chrF"] - results["names"]["chrF"], 2)}}
