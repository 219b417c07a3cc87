"""All fifteen families in build order, and the versions of four in another language."""

from __future__ import annotations

from typing import Any

from .choice import EMOTION, PRODUCTS, SENTIMENT, SPAM, TOPICS, TOXICITY, TRIAGE
from .graded import CAPTION, CODE, NER, RELEVANCE, RLHF, SAFETY, SUMMARY, TRANSLATION
from .records import Family, domain

# The order is part of the seeded output: every family draws from one random stream.
FAMILIES: list[Family] = [
    SENTIMENT, TOXICITY, NER, CAPTION, RLHF, PRODUCTS, TRIAGE, CODE, SPAM, SUMMARY, TOPICS,
    RELEVANCE, SAFETY, EMOTION, TRANSLATION,
]

# The "language" distinct case: the same kind of work as ``family`` in another language
# (``schema`` defaults to the family's).
LANGUAGES: list[dict[str, Any]] = [
    {"family": "sentiment",
     "instructions": (
         "Willkommen bei {name}. In diesem Projekt lesen Sie kurze Bewertungen, die Gäste "
         "über Restaurants geschrieben haben. Lesen Sie jede Bewertung sorgfältig. "
         "Entscheiden Sie, ob die Meinung insgesamt positiv, negativ oder neutral ist. "
         "Eine Bewertung, die manches lobt und anderes kritisiert, wird nach ihrem Fazit "
         "beurteilt. Beschreibt der Gast nur Tatsachen, wählen Sie neutral. Raten Sie nicht "
         "die Sternzahl; beurteilen Sie nur den Text. Rechtschreibfehler spielen keine "
         "Rolle. Jede Aufgabe dauert etwa zehn Sekunden."),
     "schema": {"type": "single_choice", "choices": ["positiv", "negativ", "neutral"]},
     "domain": domain({}, {"text": ["Das {dish} war {quality} und die Bedienung {attitude}.",
                                    "Wir haben {wait} auf einen Tisch gewartet.",
                                    "Die Preise sind {price}."]},
                      {"dish": ["Schnitzel", "Risotto", "Curry", "Steak", "Dessert"],
                       "quality": ["lecker", "fade", "versalzen", "frisch", "kalt"],
                       "attitude": ["freundlich", "unhöflich", "langsam", "aufmerksam"],
                       "wait": ["zehn Minuten", "eine Stunde", "gar nicht"],
                       "price": ["fair", "zu hoch", "günstig"]})},
    {"family": "spam",
     "instructions": (
         "{name} baut einen Filter für SMS-Nachrichten. Lesen Sie die Nachricht und "
         "entscheiden Sie, ob es sich um Spam handelt. Spam sind unerwünschte Werbung, "
         "Phishing, falsche Gewinne, Betrug und Nachrichten, die zum Klicken auf einen "
         "verdächtigen Link verleiten. Benachrichtigungen von Diensten, etwa "
         "Paketankündigungen oder Terminerinnerungen, sind kein Spam. Persönliche "
         "Nachrichten sind nie Spam. Fragt eine Nachricht nach Passwort oder Bankdaten, ist "
         "sie Spam. Klicken Sie keine Links an."),
     "schema": {"type": "single_choice", "choices": ["Spam", "kein Spam"]},
     "domain": domain({}, {"text": ["{prize} Klicken Sie auf {link}!",
                                    "Hallo {friend}, bleibt es bei {event} um {time}?",
                                    "Ihr Paket von {shop} kommt {time}."]},
                      {"prize": ["Sie haben ein iPhone gewonnen!", "Gratis Gutschein!"],
                       "link": ["bit.ly/gewinn", "preis.example"],
                       "friend": ["Lena", "Jonas", "Aylin"],
                       "event": ["dem Essen", "dem Kino", "dem Training"],
                       "time": ["19 Uhr", "morgen", "heute zwischen 10 und 12"],
                       "shop": ["Otto", "Zalando", "Thalia"]})},
    {"family": "toxicity",
     "instructions": (
         "{name} recueille des avis sur des commentaires publiés sur un forum de jeux "
         "vidéo. Lisez le commentaire affiché. Décidez s'il est toxique. Un commentaire est "
         "toxique s'il insulte, menace ou harcèle une personne ou un groupe, ou s'il "
         "contient des injures. Un langage grossier n'est pas toxique s'il ne vise personne. "
         "La critique des idées ou de l'équilibrage du jeu n'est pas toxique. En cas de "
         "doute, choisissez ce que choisirait un modérateur raisonnable. Vous pouvez faire "
         "une pause à tout moment."),
     "schema": {"type": "single_choice", "choices": ["toxique", "non toxique"]},
     "domain": domain({}, {"text": ["{who} {verb} en classé, {insult}.",
                                    "Le nouveau patch du {patch} est {opinion}.",
                                    "Quelqu'un pour jouer en {mode} ce soir ?"]},
                      {"who": ["Toi", "Ce type", "Notre équipe"],
                       "verb": ["joues comme un bot", "es nul", "portes l'équipe"],
                       "insult": ["quel boulet", "bien joué", "abruti"],
                       "patch": ["soigneur", "sniper", "tank"],
                       "opinion": ["nul", "plutôt juste", "cassé"],
                       "mode": ["duo", "arène", "coop"]})},
    {"family": "translation",
     "instructions": (
         "{name} évalue des traductions automatiques de l'anglais vers le français. Lisez "
         "la phrase source en anglais et la traduction française. Notez la traduction de 1 "
         "à 5. 5 signifie qu'un locuteur natif aurait pu l'écrire. 4 signifie de petits "
         "problèmes de style. 3 signifie que le sens est conservé mais que le texte est "
         "maladroit. 2 signifie qu'une partie du sens est perdue. 1 signifie que la "
         "traduction est fausse ou n'est pas en français. Ce projet est réservé aux "
         "locuteurs natifs du français."),
     "domain": domain({}, {"source": ["The {obj} is on the {place}.", "Please {verb} the {obj}."],
                           "translation": ["La {fobj} est sur la {fplace}.",
                                           "Veuillez {fverb} la {fobj}."]},
                      {"obj": ["key", "letter", "coat"], "place": ["table", "chair"],
                       "verb": ["bring", "open", "check"],
                       "fobj": ["clé", "lettre", "veste"], "fplace": ["table", "chaise"],
                       "fverb": ["apporter", "ouvrir", "vérifier"]})},
]
