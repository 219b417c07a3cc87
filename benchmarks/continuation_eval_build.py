"""Build the continuation guard's evaluation set (deterministic, seeded).

Writes ``src/fairlabel/continuation/data/evaluation.json``: pairs ``(old, new)`` of
projects of one requester, each labelled ``continuation`` (true/false) with the ``kind`` of
variant. Run from the repository root::

    .venv/bin/python benchmarks/continuation_eval_build.py

Eighteen base project families are written here by hand: instructions (with the project's
name in them), a label schema, and a *source* of task data — sentence templates with slots,
from which a pool of 60 tasks is drawn; a project shows 30 of them. Each family has a
second domain for the same instruction template (the "same template, other domain"
distinct case); four have a version in another language.

Continuation kinds: ``rename`` (new name in the instructions, other redundancy),
``reword`` (synonyms swapped, sentences reordered, one removed, one added), ``resample``
(the other 30 tasks of the same pool, shuffled), ``choices`` (choices renamed and
reordered; for types without choices the data is shuffled and the name changed),
``combined`` (all of the above at once).

Distinct kinds: ``template_domain`` (same instruction template, other domain and data),
``task_type`` (same instructions and data, another task type), ``language`` (the same kind
of work in another language), ``other_project`` (another project of the same type).
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

SEED = 7
POOL = 60
SAMPLE = 30
OUT = Path(__file__).resolve().parents[1] / "src/fairlabel/continuation/data/evaluation.json"

SYNONYMS = {
    "read": "go through", "each": "every", "choose": "select", "select": "pick",
    "carefully": "attentively", "label": "tag", "text": "passage", "answer": "response",
    "task": "item", "please": "kindly", "do not": "don't", "if": "when", "should": "must",
    "write": "type", "rate": "score", "decide": "determine", "whether": "if",
    "contains": "includes", "mark": "flag", "unsure": "uncertain", "only": "just",
    "good": "fine", "bad": "poor", "use": "apply", "example": "instance",
}
EXTRA_SENTENCES = [
    "Take your time and re-read anything that is unclear.",
    "Your answers are reviewed by a second worker from time to time.",
    "Thank you for helping us build a better data set.",
]
NEW_NAMES = ["Nova", "Orbit", "Helix", "Lumen", "Vega", "Atlas", "Quill", "Sable"]


# ---------------------------------------------------------------------------------------
# The base project families. Instructions use {name} (the project's name) and the domain's
# "vars"; task data come from the domain's sentence templates and slots.
# ---------------------------------------------------------------------------------------

FAMILIES: list[dict[str, Any]] = [
    {
        "key": "sentiment", "name": "Musen",
        "instructions": (
            "Welcome to {name}. In this project you read short reviews that customers wrote "
            "about {place}. Read each review carefully from start to end. Decide whether the "
            "overall opinion of the writer is positive, negative or neutral. A review that "
            "praises some things and criticises others should be labelled by its main "
            "conclusion. If the writer only describes facts without an opinion, choose "
            "neutral. Do not guess the star rating; judge only the text. Ignore spelling "
            "mistakes and slang. If a review is written in another language or is empty, "
            "choose neutral and mark it in the comment field. Please do not use outside "
            "information about the {business}. Each task takes about ten seconds."),
        "schema": {"type": "single_choice", "choices": ["positive", "negative", "neutral"]},
        "switch_to": {"type": "rating", "min": 1, "max": 5},
        "domains": [
            {"vars": {"place": "restaurants", "business": "restaurant"},
             "fields": {"text": [
                 "The {dish} was {quality} and the {staff} were {attitude}.",
                 "We waited {wait} for a table, which was {verdict}.",
                 "I ordered the {dish} and it came {temp}.",
                 "Prices are {price} for a {kind} place like this.",
                 "Would {recommend} come back for the {dish}."]},
             "slots": {"dish": ["pasta", "ramen", "burger", "pizza", "curry", "risotto",
                                "tacos", "steak", "salad", "soup"],
                       "quality": ["delicious", "bland", "overcooked", "perfect", "salty",
                                   "fresh", "greasy"],
                       "staff": ["waiters", "cooks", "hosts", "staff"],
                       "attitude": ["friendly", "rude", "slow", "attentive", "busy"],
                       "wait": ["ten minutes", "an hour", "half an hour", "no time"],
                       "verdict": ["fine", "annoying", "acceptable", "ridiculous"],
                       "temp": ["cold", "lukewarm", "hot", "late"],
                       "price": ["fair", "too high", "cheap", "reasonable"],
                       "kind": ["family", "fancy", "small", "downtown"],
                       "recommend": ["definitely", "never", "maybe", "gladly"]}},
            {"vars": {"place": "hotels", "business": "hotel"},
             "fields": {"text": [
                 "Our {room} had a {view} and the bed was {bed}.",
                 "Check-in took {wait} because the reception was {attitude}.",
                 "The breakfast buffet offered {food} but the coffee was {coffee}.",
                 "The pool and spa were {state} during our stay.",
                 "Parking costs {price} per night near the {area}."]},
             "slots": {"room": ["suite", "double room", "single room", "family room"],
                       "view": ["sea view", "view of the car park", "garden view",
                                "city view"],
                       "bed": ["comfortable", "hard", "squeaky", "huge"],
                       "wait": ["forever", "two minutes", "twenty minutes"],
                       "attitude": ["understaffed", "welcoming", "chaotic", "efficient"],
                       "food": ["eggs and fruit", "pastries", "local cheese", "cereal"],
                       "coffee": ["weak", "excellent", "burnt", "lovely"],
                       "state": ["closed", "spotless", "crowded", "under renovation"],
                       "price": ["twenty euros", "nothing", "thirty dollars"],
                       "area": ["old town", "airport", "beach", "station"]}}]},
    {
        "key": "toxicity", "name": "Sentinel",
        "instructions": (
            "{name} collects judgements about comments posted on {site}. Read the comment "
            "shown on the screen. Decide whether it is toxic. A comment is toxic if it "
            "insults, threatens or harasses a person or a group, uses slurs, or tells "
            "someone to harm themselves. Strong language alone is not toxic when it is not "
            "aimed at anyone. Criticism of ideas, {topics} or public decisions is not toxic "
            "as long as it does not attack people. Sarcasm counts as toxic only when it is "
            "clearly meant to humiliate. If you are unsure, choose the label that a "
            "reasonable moderator would pick. You may stop at any time if the content "
            "upsets you; breaks are paid."),
        "schema": {"type": "single_choice", "choices": ["toxic", "not toxic"]},
        "switch_to": {"type": "rating", "min": 0, "max": 4},
        "domains": [
            {"vars": {"site": "a gaming forum", "topics": "game balance"},
             "fields": {"text": [
                 "{who} {verb} at {game}, {insult}.",
                 "The new {patch} patch is {opinion}.",
                 "Anyone want to queue for {mode} tonight?",
                 "Uninstall {game} and {threat}."]},
             "slots": {"who": ["You", "This guy", "Our jungler", "The whole team"],
                       "verb": ["are trash", "play like a bot", "feed constantly",
                                "carry hard"],
                       "game": ["ranked", "the raid", "Valorant", "the arena"],
                       "insult": ["what a loser", "nice job", "get good", "idiot"],
                       "patch": ["healer", "sniper", "tank", "map"],
                       "opinion": ["garbage", "pretty fair", "broken", "a good start"],
                       "mode": ["duos", "arena", "co-op", "ranked"],
                       "threat": ["never come back", "go touch grass", "stay quiet"]}},
            {"vars": {"site": "a local news site", "topics": "council policies"},
             "fields": {"text": [
                 "The mayor's plan for {issue} is {opinion}.",
                 "{who} who voted for this are {insult}.",
                 "Does anyone know when the {place} reopens?",
                 "This reporter should {threat}."]},
             "slots": {"issue": ["bike lanes", "housing", "parking fees", "the library"],
                       "opinion": ["a waste of money", "overdue", "sensible", "a joke"],
                       "who": ["People", "Councillors", "Neighbours", "Those residents"],
                       "insult": ["morons", "misinformed", "brave", "clueless"],
                       "place": ["swimming pool", "market", "bridge", "museum"],
                       "threat": ["be fired", "check the facts", "move away"]}}]},
    {
        "key": "ner", "name": "Tagline",
        "instructions": (
            "In {name} you find names in {source}. Read the sentence. Write every {entity} "
            "that appears in it, one per line, exactly as spelled in the sentence. Do not "
            "include titles such as Mr or Dr. If the same name appears twice, write it once. "
            "If a sentence contains no {entity}, write NONE. Abbreviations count when they "
            "clearly refer to a {entity}. Do not correct spelling. Pronouns such as he or "
            "they are not names. Check your list against the sentence before you submit. "
            "The answers are compared with other workers, so consistency matters more than "
            "speed."),
        "schema": {"type": "free_text", "max_length": 500},
        "switch_to": {"type": "multi_choice", "choices": ["person", "organisation", "place"]},
        "domains": [
            {"vars": {"source": "news sentences", "entity": "person or organisation name"},
             "fields": {"text": [
                 "{person} announced on {day} that {org} will {action}.",
                 "Shares of {org} fell after {person} {event}.",
                 "According to {org}, {person} met officials in {city}."]},
             "slots": {"person": ["Angela Weber", "Tom Okafor", "Maria Santos",
                                  "Li Wei", "John Carter", "Priya Nair"],
                       "day": ["Monday", "Friday", "Tuesday"],
                       "org": ["Siemens", "the UN", "Reuters", "Acme Corp", "the IMF"],
                       "action": ["cut jobs", "open a plant", "raise prices", "merge"],
                       "event": ["resigned", "was arrested", "spoke at a summit"],
                       "city": ["Berlin", "Nairobi", "Lima", "Osaka"]}},
            {"vars": {"source": "clinical notes", "entity": "drug name"},
             "fields": {"text": [
                 "Patient started on {drug} {dose} for {condition}.",
                 "Discontinue {drug} due to {side}; switch to {drug}.",
                 "History of {condition}, allergic to {drug}."]},
             "slots": {"drug": ["metformin", "lisinopril", "amoxicillin", "ibuprofen",
                                "atorvastatin", "warfarin"],
                       "dose": ["500 mg twice daily", "10 mg daily", "as needed"],
                       "condition": ["hypertension", "type 2 diabetes", "otitis",
                                     "back pain"],
                       "side": ["rash", "nausea", "dizziness", "cough"]}}]},
    {
        "key": "caption", "name": "Lens",
        "instructions": (
            "{name} asks you to rate how well a caption describes a photo of {subject}. "
            "Look at the image first, then read the caption. Use the scale from 1 to 5. "
            "Give 5 when the caption is accurate, complete and fluent. Give 3 when it is "
            "mostly right but misses an important detail or contains a small error. Give 1 "
            "when it describes something that is not in the image. Do not reward long "
            "captions for length alone. Ignore punctuation mistakes. If the image does not "
            "load, skip the task with the skip button; skipped tasks are still paid for "
            "the time spent."),
        "schema": {"type": "rating", "min": 1, "max": 5},
        "switch_to": {"type": "free_text", "max_length": 300},
        "domains": [
            {"vars": {"subject": "animals"},
             "fields": {"image_url": ["https://img.example/animals/{n}{n}{n}.jpg"],
                        "caption": ["A {color} {animal} {doing} on the {place}.",
                                    "Two {animal}s {doing} near a {place}."]},
             "slots": {"n": list("0123456789"),
                       "color": ["brown", "white", "black", "spotted", "grey"],
                       "animal": ["dog", "cat", "horse", "parrot", "rabbit", "goat"],
                       "doing": ["sleeping", "running", "eating grass", "playing"],
                       "place": ["beach", "sofa", "meadow", "fence", "snow"]}},
            {"vars": {"subject": "kitchen products"},
             "fields": {"image_url": ["https://img.example/shop/{n}{n}{n}.png"],
                        "caption": ["A {material} {item} with a {handle} handle.",
                                    "Set of {count} {material} {item}s on a {surface}."]},
             "slots": {"n": list("0123456789"),
                       "material": ["stainless steel", "ceramic", "cast iron", "glass"],
                       "item": ["pan", "kettle", "mug", "knife", "bowl", "pot"],
                       "handle": ["wooden", "red", "silicone", "long"],
                       "count": ["two", "three", "six"],
                       "surface": ["marble counter", "white background", "wooden table"]}}]},
    {
        "key": "rlhf", "name": "Compass",
        "instructions": (
            "Welcome to {name}. You compare two answers that an AI assistant gave to a "
            "user's question about {topic}. Read the question and both answers completely. "
            "Choose the answer that is more helpful, correct and safe. An answer that is "
            "correct but short beats a long answer with a factual error. Penalise answers "
            "that ignore the question or invent facts. If both answers are equally good or "
            "equally bad, pick the one that is easier to follow. Do not let the order of "
            "the answers influence you. Do not search the web; use your own knowledge. "
            "Explanations are optional."),
        "schema": {"type": "pairwise"},
        "switch_to": {"type": "rating", "min": 1, "max": 7},
        "domains": [
            {"vars": {"topic": "cooking"},
             "fields": {"prompt": ["How do I {task} {food}?",
                                   "What can I use instead of {ingredient} in {food}?"],
                        "response_a": ["You should {tip} and cook it for {time}.",
                                       "Replace {ingredient} with {sub}; it works well.",
                                       "Season with {ingredient} before serving."],
                        "response_b": ["Many cooks {tip} first, then wait {time}.",
                                       "Try {sub} instead of {ingredient}.",
                                       "It depends on the {food} you make."]},
             "slots": {"task": ["roast", "freeze", "thicken", "reheat"],
                       "food": ["chicken", "soup", "bread dough", "rice", "lasagne"],
                       "ingredient": ["butter", "eggs", "cream", "flour", "sugar"],
                       "tip": ["preheat the oven", "salt it well", "let it rest",
                               "stir often"],
                       "time": ["twenty minutes", "an hour", "five minutes"],
                       "sub": ["olive oil", "yogurt", "applesauce", "cornstarch"]}},
            {"vars": {"topic": "personal taxes"},
             "fields": {"prompt": ["Can I deduct {expense} from my {tax}?",
                                   "When is the deadline for {form} if I am {status}?"],
                        "response_a": ["Yes, {expense} is deductible if you {cond}.",
                                       "The deadline for {form} is {date}.",
                                       "Ask a tax adviser about {expense}."],
                        "response_b": ["Usually not, unless you {cond}.",
                                       "As {status}, you file {form} by {date}.",
                                       "Keep receipts for {expense}."]},
             "slots": {"expense": ["a home office", "commuting costs", "child care",
                                   "donations"],
                       "tax": ["income tax", "tax return", "taxable income"],
                       "form": ["the annual return", "a VAT return", "an extension"],
                       "status": ["self-employed", "retired", "a student"],
                       "cond": ["work from home", "keep records", "itemise deductions"],
                       "date": ["April 15", "July 31", "the end of May"]}}]},
]


def _fam(key: str, name: str, instructions: str, schema: dict[str, Any],
         switch_to: dict[str, Any], *domains: dict[str, Any]) -> dict[str, Any]:
    return {"key": key, "name": name, "instructions": instructions, "schema": schema,
            "switch_to": switch_to, "domains": list(domains)}


def _dom(vars_: dict[str, str], fields: dict[str, list[str]],
         slots: dict[str, list[str]]) -> dict[str, Any]:
    return {"vars": vars_, "fields": fields, "slots": slots}


FAMILIES += [
    _fam("products", "Shelf",
         "{name} sorts {listing} into categories. Read the title and the description of the "
         "listing. Choose the one category that fits the product best. If a product could "
         "belong to two categories, choose the one a shopper would browse first. Bundles go "
         "to the category of the main item. Accessories such as cases or cables have their "
         "own category. Do not open external links. If the listing is unreadable or not a "
         "product at all, choose the last category and leave a comment. Work at your own "
         "pace; accuracy is checked with known answers mixed into the queue.",
         {"type": "single_choice", "choices": ["{c1}", "{c2}", "{c3}", "{c4}", "other"]},
         {"type": "free_text", "max_length": 200},
         _dom({"listing": "electronics listings"},
              {"title": ["{brand} {item} {spec}"],
               "description": ["Brand new {item} from {brand} with {feature}.",
                               "Comes with {extra}; {spec} model.", "Ships from {place}."]},
              {"brand": ["Samsung", "Lenovo", "Sony", "Anker", "Canon", "Apple"],
               "item": ["phone", "laptop", "headphones", "camera", "charger", "tablet"],
               "spec": ["128 GB", "15 inch", "wireless", "4K", "65 W", "noise cancelling"],
               "feature": ["a long battery life", "fast charging", "a metal body"],
               "extra": ["a USB-C cable", "a carrying case", "two batteries"],
               "place": ["Germany", "a local warehouse", "the EU"]}),
         _dom({"listing": "grocery listings"},
              {"title": ["{brand} {item} {size}"],
               "description": ["Organic {item} from {origin}, {feature}.",
                               "Pack of {size}; best before {date}.", "Keep {storage}."]},
              {"brand": ["Alnatura", "Barilla", "Danone", "Lindt", "Tropicana"],
               "item": ["oat milk", "spaghetti", "yogurt", "dark chocolate", "orange juice",
                        "sourdough bread"],
               "size": ["1 litre", "500 g", "6 x 125 g", "100 g"],
               "origin": ["Italy", "Bavaria", "Spain", "local farms"],
               "feature": ["no added sugar", "gluten free", "fair trade"],
               "date": ["June", "next week", "the end of the year"],
               "storage": ["refrigerated", "in a dry place", "frozen"]})),
    _fam("triage", "Pulse",
         "In {name} you triage {messages}. Read the message. Decide how urgently it needs "
         "a response from a {expert}. Emergency means a risk of serious harm within hours. "
         "Urgent means it should be handled today. Routine means it can wait a few days. "
         "Self-service means the sender can solve it with the help pages. Do not give advice "
         "to the sender; only classify. When a message mentions several problems, classify "
         "by the most serious one. If you are unsure between two levels, choose the more "
         "urgent one. Messages may contain personal data: never copy them anywhere.",
         {"type": "single_choice",
          "choices": ["emergency", "urgent", "routine", "self-service"]},
         {"type": "rating", "min": 1, "max": 4},
         _dom({"messages": "questions from patients", "expert": "nurse"},
              {"text": ["I have had {symptom} for {duration} and {extra}.",
                        "My {relative} {event} and now {symptom}.",
                        "Can I take {drug} with {drug2}?",
                        "How do I renew my prescription for {drug}?"]},
              {"symptom": ["chest pain", "a fever", "a rash", "a headache",
                           "trouble breathing", "back pain"],
               "duration": ["two days", "an hour", "a week", "since yesterday"],
               "extra": ["it is getting worse", "I feel dizzy", "nothing helps"],
               "relative": ["son", "mother", "husband", "grandfather"],
               "event": ["fell down the stairs", "ate something old", "fainted"],
               "drug": ["ibuprofen", "aspirin", "insulin", "antibiotics"],
               "drug2": ["alcohol", "paracetamol", "my blood thinner"]}),
         _dom({"messages": "IT helpdesk tickets", "expert": "system administrator"},
              {"text": ["The {system} has been {state} since {time}.",
                        "I cannot {action} because {reason}.",
                        "Please reset my {account} password.",
                        "All users in {dept} see {error} when they log in."]},
              {"system": ["mail server", "VPN", "printer", "payroll system", "wifi"],
               "state": ["down", "slow", "unreachable", "crashing"],
               "time": ["this morning", "ten minutes", "last night"],
               "action": ["log in", "print invoices", "open shared drives"],
               "reason": ["my token expired", "the disk is full", "access is denied"],
               "account": ["email", "laptop", "CRM"],
               "dept": ["sales", "finance", "the warehouse"],
               "error": ["error 500", "a blank page", "a certificate warning"]})),
    _fam("code", "Forge",
         "{name} compares two {artifact} written for the same request. Read the request, "
         "then both versions. Choose the version you would approve in a code review. "
         "Correctness comes first: a version with a bug loses against a slower correct one. "
         "Then prefer readable names, fewer side effects and handling of edge cases such as "
         "empty input. Ignore formatting differences that a formatter would fix. Do not run "
         "the code on your machine. If both versions are wrong, pick the one that is easier "
         "to fix and say why in one sentence.",
         {"type": "pairwise"}, {"type": "single_choice", "choices": ["A", "B", "tie"]},
         _dom({"artifact": "Python functions"},
              {"prompt": ["Write a function that {goal}.", "Fix the bug: {goal} fails on {edge}."],
               "response_a": ["def {fn}(items):\n    return {expr_a}",
                              "for x in items:\n    if {cond}:\n        {stmt}"],
               "response_b": ["def {fn}(items):\n    result = []\n    {stmt}\n    return result",
                              "return [x for x in items if {cond}]"]},
              {"goal": ["removes duplicates", "sums even numbers", "finds the longest word",
                        "parses a date"],
               "edge": ["an empty list", "None", "unicode input"],
               "fn": ["dedupe", "sum_even", "longest", "parse_date"],
               "expr_a": ["sorted(set(items))", "sum(x for x in items if x % 2 == 0)",
                          "max(items, key=len)"],
               "cond": ["x % 2 == 0", "x not in seen", "len(x) > best"],
               "stmt": ["result.append(x)", "seen.add(x)", "total += x"]}),
         _dom({"artifact": "SQL queries"},
              {"prompt": ["Write a query that {goal}.", "Speed up this query that {goal}."],
               "response_a": ["SELECT {cols} FROM {table} WHERE {cond} GROUP BY {cols};",
                              "SELECT COUNT(*) FROM {table} JOIN {table2} USING (id);"],
               "response_b": ["SELECT DISTINCT {cols} FROM {table} ORDER BY {cols} LIMIT 10;",
                              "WITH t AS (SELECT * FROM {table2} WHERE {cond}) SELECT * FROM t;"]},
              {"goal": ["lists customers by revenue", "counts orders per month",
                        "finds inactive users"],
               "cols": ["customer_id", "order_date", "email", "region"],
               "table": ["orders", "customers", "sessions"],
               "table2": ["payments", "invoices", "logins"],
               "cond": ["amount > 100", "created_at < now() - interval '90 days'",
                        "status = 'open'"]})),
    _fam("spam", "Filter",
         "{name} builds a filter for {channel}. Read the message and decide whether it is "
         "spam. Spam is unsolicited bulk advertising, phishing, fake prizes, scams and "
         "messages that try to make you click a suspicious link. Messages from services the "
         "person uses, such as delivery notices or appointment reminders, are not spam even "
         "if automated. Personal messages are never spam. If a message asks for a password "
         "or bank details, it is spam. Do not click any link in the messages. Choose not spam "
         "when you cannot tell.",
         {"type": "single_choice", "choices": ["spam", "not spam"]},
         {"type": "rating", "min": 1, "max": 5},
         _dom({"channel": "SMS messages"},
              {"text": ["{prize} Click {link} to claim within 24 hours!",
                        "Hi {friend}, are we still on for {event} at {time}?",
                        "Your parcel from {shop} arrives {time}.",
                        "URGENT: your {account} is locked, reply with your PIN."]},
              {"prize": ["You won a free iPhone!", "Congratulations, you won 1000 euros!",
                         "Claim your gift card!"],
               "link": ["bit.ly/x7ks", "win-now.example", "tinyurl.example/free"],
               "friend": ["Sam", "Mia", "Jonas", "Aisha"],
               "event": ["dinner", "the cinema", "football", "coffee"],
               "time": ["7 pm", "tomorrow", "today between 10 and 12"],
               "shop": ["Amazon", "Zalando", "IKEA"],
               "account": ["bank account", "SIM card", "PayPal account"]}),
         _dom({"channel": "job postings"},
              {"text": ["{company} is hiring a {role} in {city}, salary {salary}.",
                        "Work from home and earn {money} per week, no experience needed!",
                        "Send a {fee} registration fee to start as a {role}.",
                        "Requirements: {years} years of experience with {skill}."]},
              {"company": ["Bosch", "a small startup", "the city hospital", "Globex"],
               "role": ["data analyst", "nurse", "warehouse worker", "mystery shopper"],
               "city": ["Munich", "Leeds", "Lyon", "remote"],
               "salary": ["45,000 euros", "competitive", "by agreement"],
               "money": ["2000 dollars", "5000 euros", "a fortune"],
               "fee": ["50 dollar", "small", "refundable"],
               "years": ["two", "five", "three"],
               "skill": ["Excel", "patient care", "forklifts", "SQL"]})),
    _fam("summary", "Digest",
         "{name} rates summaries of {document}. First read the original text, then the "
         "summary. Rate the summary on a scale from 1 to 7. A 7 is faithful, covers every "
         "important point and contains nothing that the original does not say. A 4 misses "
         "a key point or is hard to read. A 1 contradicts the original or invents facts. "
         "Check names, numbers and dates carefully, because errors there are the most "
         "common problem. Length does not matter as long as the summary is shorter than the "
         "original.",
         {"type": "rating", "min": 1, "max": 7},
         {"type": "single_choice", "choices": ["faithful", "unfaithful"]},
         _dom({"document": "news articles"},
              {"original": ["{org} reported {result} for {period}, {reason}.",
                            "The {official} said {statement} on {day}.",
                            "Analysts expect {forecast}."],
               "summary": ["{org} had {result} in {period}.",
                           "{official}: {statement}."]},
              {"org": ["Volkswagen", "the central bank", "Nokia", "the city council"],
               "result": ["record profits", "a loss", "flat sales", "higher costs"],
               "period": ["the third quarter", "2023", "the first half"],
               "reason": ["citing weak demand", "thanks to exports", "after layoffs"],
               "official": ["minister", "chief executive", "spokesperson"],
               "statement": ["no cuts are planned", "prices will rise", "talks continue"],
               "day": ["Monday", "Thursday"],
               "forecast": ["a slow recovery", "further rate hikes", "stable growth"]}),
         _dom({"document": "meeting notes"},
              {"original": ["{person} will {action} by {deadline}.",
                            "The team agreed to {decision} because {reason}.",
                            "Open question: {question}"],
               "summary": ["{person} owns {action}.", "Decision: {decision}."]},
              {"person": ["Anna", "Ravi", "the design lead", "Marco"],
               "action": ["update the roadmap", "draft the budget", "call the vendor"],
               "deadline": ["Friday", "next sprint", "the board meeting"],
               "decision": ["delay the release", "hire a contractor", "drop the feature"],
               "reason": ["tests are failing", "the budget is tight", "users asked"],
               "question": ["who approves travel?", "do we need legal review?"]})),
    _fam("topics", "Atlas",
         "Welcome to {name}. Each task shows one {item}. Select every tag that applies; "
         "select at least one. A tag applies when a reader looking for that topic would be "
         "glad to find this {item}. Do not select a tag because a single word matches; the "
         "{item} must really be about it. Tags are independent, so several can apply at the "
         "same time. Use the comment field if an important topic is missing from the list. "
         "Gold tasks with known answers are mixed in and used only to give you feedback.",
         {"type": "multi_choice", "choices": ["{c1}", "{c2}", "{c3}", "{c4}", "{c5}"]},
         {"type": "single_choice", "choices": ["relevant", "irrelevant"]},
         _dom({"item": "news article"},
              {"headline": ["{actor} {verb} {object}"],
               "text": ["{actor} {verb} {object} after {event}.",
                        "Observers say the move affects {field}."]},
              {"actor": ["Parliament", "The national team", "Researchers", "The museum"],
               "verb": ["approves", "wins", "discovers", "reopens"],
               "object": ["the budget", "the cup", "a new species", "its gallery"],
               "event": ["a long debate", "extra time", "years of work", "renovation"],
               "field": ["taxpayers", "fans", "climate science", "tourism"]}),
         _dom({"item": "recipe"},
              {"headline": ["{style} {dish} with {ingredient}"],
               "text": ["Cook the {dish} for {time} and top with {ingredient}.",
                        "Serves {n}; costs about {cost}."]},
              {"style": ["Quick", "Spicy", "Vegan", "Classic"],
               "dish": ["lentil stew", "chocolate cake", "noodle salad", "chili"],
               "ingredient": ["coriander", "chili flakes", "berries", "tofu"],
               "time": ["15 minutes", "an hour", "30 minutes"],
               "n": ["two", "four", "six"],
               "cost": ["five euros", "ten dollars", "very little"]})),
    _fam("relevance", "Beacon",
         "{name} measures the quality of {engine}. Each task shows a search query and one "
         "result. Rate how relevant the result is to the query on a scale from 0 to 3. "
         "3 means the result answers the query fully. 2 means it is useful but incomplete. "
         "1 means it is related but would not satisfy the searcher. 0 means it is off topic "
         "or spam. Think about what the person most likely wanted. Do not judge the design "
         "of the page. If the query is ambiguous, rate by its most common meaning.",
         {"type": "rating", "min": 0, "max": 3},
         {"type": "pairwise"},
         _dom({"engine": "a web search engine"},
              {"query": ["{q} {modifier}"],
               "result": ["{site}: {q} explained, with {extra}.",
                          "Buy {q} online at {site}."]},
              {"q": ["weather berlin", "python list sort", "cheap flights rome",
                     "symptoms of flu", "how to tie a tie"],
               "modifier": ["today", "tutorial", "2024", "near me", ""],
               "site": ["Wikipedia", "a blog", "a shop", "a forum"],
               "extra": ["examples", "a video", "a map", "prices"]}),
         _dom({"engine": "a job search portal"},
              {"query": ["{role} jobs {city}"],
               "result": ["{company} seeks a {role} in {city}, {contract}.",
                          "Salary guide for {role} positions."]},
              {"role": ["nurse", "welder", "frontend developer", "accountant"],
               "city": ["Hamburg", "Vienna", "Zurich", "remote"],
               "company": ["Charité", "Siemens", "a bakery chain", "Zalando"],
               "contract": ["full time", "part time", "temporary"]})),
    _fam("safety", "Harbor",
         "In {name} you compare two replies of a chatbot to the same {request}. Choose the "
         "reply that is {criterion}. A good reply {good}. A reply that {bad} loses, even if "
         "it is well written. When both replies are acceptable, prefer the clearer one. When "
         "both are unacceptable, prefer the less harmful one. You may see disturbing "
         "content; you can skip any task and your pay for the time spent is kept.",
         {"type": "pairwise"}, {"type": "single_choice", "choices": ["safe", "unsafe"]},
         _dom({"request": "risky request", "criterion": "safer",
               "good": "refuses dangerous help politely and points to support",
               "bad": "gives instructions for harm"},
              {"prompt": ["How can I {harm}?", "Tell me the easiest way to {harm}."],
               "response_a": ["I can't help with that, but {support} can.",
                              "Here is how: first {step}."],
               "response_b": ["Sure, {step} and then {step}.",
                              "I won't do that. If you are struggling, {support} is there."]},
              {"harm": ["pick a lock", "make a fake ID", "hack my ex's email",
                        "buy pills without a prescription"],
               "support": ["a helpline", "a doctor", "the police", "a counsellor"],
               "step": ["get a tension wrench", "find a template", "guess the password"]}),
         _dom({"request": "story prompt", "criterion": "more creative and engaging",
               "good": "has vivid images and a surprising ending",
               "bad": "repeats the prompt or is clichéd"},
              {"prompt": ["Write a short story about {hero} who {plot}."],
               "response_a": ["Once upon a time, {hero} {plot} and {ending}.",
                              "The {setting} was silent when {hero} arrived."],
               "response_b": ["{hero} never expected to {plot}; {ending}.",
                              "Rain fell on the {setting}."]},
              {"hero": ["a lighthouse keeper", "a robot", "an old fox", "a baker"],
               "plot": ["finds a map", "loses their voice", "befriends a ghost"],
               "ending": ["the sea took the map", "everyone laughed", "it was a dream"],
               "setting": ["harbour", "village", "space station"]})),
    _fam("emotion", "Echo",
         "{name} annotates emotions in {texts}. Read the text and select all emotions that "
         "the writer expresses: joy, anger, sadness, fear or surprise. Select none of them "
         "only if the text is purely factual; then choose the neutral option. Emotions of "
         "other people mentioned in the text do not count, only the writer's own. Emojis "
         "count as expressions of emotion. Irony often signals anger. Do not overthink: "
         "your first reading is usually right.",
         {"type": "multi_choice",
          "choices": ["joy", "anger", "sadness", "fear", "surprise", "neutral"]},
         {"type": "rating", "min": 1, "max": 5},
         _dom({"texts": "short social media posts"},
              {"text": ["Can't believe {event} {reaction}", "{event} again... {reaction}",
                        "Just {did} {emoji}"]},
              {"event": ["my flight got cancelled", "we won the final", "my cat is sick",
                         "the exam is tomorrow"],
               "reaction": ["!!!", "so happy", "I'm furious", "scared tbh", "wow"],
               "did": ["finished my first marathon", "got the job", "missed the bus"],
               "emoji": [":)", ":(", "<3", ":O"]}),
         _dom({"texts": "call-centre transcripts"},
              {"text": ["Customer: I have called {n} times about my {issue}.",
                        "Customer: Thank you, {outcome}.",
                        "Customer: I'm worried that {worry}."]},
              {"n": ["three", "five", "ten"],
               "issue": ["refund", "broken router", "wrong invoice", "contract"],
               "outcome": ["that solved it", "you were very kind", "finally it works"],
               "worry": ["my data was leaked", "I will be charged twice",
                         "the line gets cut"]})),
    _fam("translation", "Babel",
         "{name} evaluates machine translations from English into {language}. Read the "
         "English source and the {language} translation. Rate the translation from 1 to 5. "
         "5 means a native speaker could have written it. 4 means small style problems. "
         "3 means the meaning is preserved but the text is clumsy. 2 means part of the "
         "meaning is lost. 1 means it is wrong or not {language}. Only native speakers of "
         "{language} should work on this project.",
         {"type": "rating", "min": 1, "max": 5},
         {"type": "free_text", "max_length": 1000},
         _dom({"language": "German"},
              {"source": ["The {obj} is on the {place}.", "Please {verb} the {obj}."],
               "translation": ["Der {dobj} ist auf dem {dplace}.",
                               "Bitte {dverb} Sie den {dobj}."]},
              {"obj": ["key", "letter", "train", "coat"], "place": ["table", "chair"],
               "verb": ["bring", "open", "check"],
               "dobj": ["Schlüssel", "Brief", "Zug", "Mantel"],
               "dplace": ["Tisch", "Stuhl", "Schrank"],
               "dverb": ["bringen", "öffnen", "prüfen"]}),
         _dom({"language": "Spanish"},
              {"source": ["Where is the {obj}?", "I need a {obj} for {time}."],
               "translation": ["¿Dónde está el {sobj}?", "Necesito un {sobj} para {stime}."]},
              {"obj": ["station", "hotel", "doctor", "taxi"],
               "time": ["tomorrow", "tonight", "Monday"],
               "sobj": ["hotel", "médico", "taxi", "billete"],
               "stime": ["mañana", "esta noche", "el lunes"]})),
]

for _family, _labels in zip(
        [f for f in FAMILIES if f["key"] in ("products", "topics")],
        [["phones", "laptops", "audio", "cameras"],
         ["politics", "sports", "science", "culture", "economy"]], strict=True):
    _family["schema"] = {**_family["schema"], "choices": [
        *_labels, *(c for c in _family["schema"]["choices"] if "{" not in c)]}

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
     "domain": _dom({}, {"text": ["Das {dish} war {quality} und die Bedienung {attitude}.",
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
     "domain": _dom({}, {"text": ["{prize} Klicken Sie auf {link}!",
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
     "domain": _dom({}, {"text": ["{who} {verb} en classé, {insult}.",
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
     "domain": _dom({}, {"source": ["The {obj} is on the {place}.", "Please {verb} the {obj}."],
                         "translation": ["La {fobj} est sur la {fplace}.",
                                         "Veuillez {fverb} la {fobj}."]},
                    {"obj": ["key", "letter", "coat"], "place": ["table", "chair"],
                     "verb": ["bring", "open", "check"],
                     "fobj": ["clé", "lettre", "veste"], "fplace": ["table", "chaise"],
                     "fverb": ["apporter", "ouvrir", "vérifier"]})},
]


def fill(template: str, slots: dict[str, list[str]], rng: random.Random) -> str:
    """Fill ``{slot}`` placeholders with random entries."""
    return re.sub(r"\{(\w+)\}", lambda m: rng.choice(slots[m.group(1)]), template)


def make_pool(domain: dict[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    """Draw ``POOL`` tasks from a domain's templates."""
    pool = []
    for _ in range(POOL):
        task: dict[str, Any] = {}
        for name, templates in domain["fields"].items():
            n = rng.randint(1, min(3, len(templates)))
            task[name] = " ".join(fill(t, domain["slots"], rng) for t in rng.sample(templates, n))
        pool.append(task)
    return pool


def reword(text: str, rng: random.Random) -> str:
    """Synonym swaps, sentence reorder, one sentence removed and one added."""
    for word, other in SYNONYMS.items():
        text = re.sub(rf"(?<!{{)\b{word}\b(?!}})", other, text, flags=re.I)
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if s]
    head, rest = sentences[0], sentences[1:]
    rng.shuffle(rest)
    if len(rest) > 3:
        rest.pop(rng.randrange(len(rest)))
    rest.insert(rng.randrange(len(rest) + 1), rng.choice(EXTRA_SENTENCES))
    return " ".join([head, *rest])


def rename_choices(schema: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Rename (prefix/case/synonym) and reorder the choices of a choice schema."""
    if "choices" not in schema:
        return schema
    styles = [lambda c: c.upper(), lambda c: f"label {c}", lambda c: c.replace(" ", "_") + "!"]
    style = rng.choice(styles)
    choices = [style(c) for c in schema["choices"]]
    rng.shuffle(choices)
    return {**schema, "choices": choices}


def project(family: dict[str, Any], domain: dict[str, Any], name: str,
            samples: list[dict[str, Any]], *, redundancy: int = 3,
            instructions: str | None = None, schema: dict[str, Any] | None = None
            ) -> dict[str, Any]:
    """One project record."""
    text = instructions if instructions is not None else family["instructions"]
    return {
        "name": name,
        "redundancy": redundancy,
        "instructions": text.format(name=name, **domain.get("vars", {})),
        "schema": schema if schema is not None else family["schema"],
        "task_samples": samples,
    }


def build() -> list[dict[str, Any]]:
    """All pairs, deterministic for ``SEED``."""
    rng = random.Random(SEED)
    pairs: list[dict[str, Any]] = []

    def add(old: dict[str, Any], new: dict[str, Any], continuation: bool, kind: str,
            family: str) -> None:
        pairs.append({"id": len(pairs), "family": family, "kind": kind,
                      "continuation": continuation, "old": old, "new": new})

    base: dict[str, dict[str, Any]] = {}
    for fam in FAMILIES:
        key, name = fam["key"], fam["name"]
        main, other = fam["domains"]
        pool = make_pool(main, rng)
        order = list(range(POOL))
        rng.shuffle(order)
        first = [pool[i] for i in order[:SAMPLE]]
        second = [pool[i] for i in order[SAMPLE:]]
        old = project(fam, main, name, first)
        base[key] = old
        new_name = rng.choice(NEW_NAMES)
        shuffled = first[:]
        rng.shuffle(shuffled)
        reworded = reword(fam["instructions"], rng)
        renamed = rename_choices(fam["schema"], rng)
        add(old, project(fam, main, new_name, first, redundancy=5), True, "rename", key)
        add(old, project(fam, main, name, first, instructions=reworded), True, "reword", key)
        add(old, project(fam, main, name, second), True, "resample", key)
        if "choices" in fam["schema"]:
            add(old, project(fam, main, name, first, schema=renamed), True, "choices", key)
        else:
            add(old, project(fam, main, new_name, shuffled), True, "shuffle", key)
        add(old, project(fam, main, new_name, second, redundancy=1, instructions=reworded,
                         schema=renamed), True, "combined", key)
        other_pool = make_pool(other, rng)
        add(old, project(fam, other, rng.choice(NEW_NAMES), rng.sample(other_pool, SAMPLE)),
            False, "template_domain", key)
        switched = fam["switch_to"]
        add(old, project(fam, main, rng.choice(NEW_NAMES), first, schema=switched),
            False, "task_type", key)

    for lang in LANGUAGES:
        fam = next(f for f in FAMILIES if f["key"] == lang["family"])
        lang_pool = make_pool(lang["domain"], rng)
        new = project(fam, lang["domain"], rng.choice(NEW_NAMES), rng.sample(lang_pool, SAMPLE),
                      instructions=lang["instructions"],
                      schema=lang.get("schema", fam["schema"]))
        add(base[lang["family"]], new, False, "language", lang["family"])

    by_type: dict[str, list[str]] = {}
    for fam in FAMILIES:
        by_type.setdefault(fam["schema"]["type"], []).append(fam["key"])
    for keys in by_type.values():
        for i, a in enumerate(keys):
            for b in keys[i + 1:]:
                add(base[a], base[b], False, "other_project", f"{a}/{b}")
    cross = [(a["key"], b["key"]) for a in FAMILIES for b in FAMILIES
             if a["schema"]["type"] < b["schema"]["type"]]
    for a_key, b_key in rng.sample(cross, 12):
        add(base[a_key], base[b_key], False, "other_project", f"{a_key}/{b_key}")
    return pairs


def main() -> None:
    """Build and write the evaluation set, print a summary."""
    pairs = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"seed": SEED, "pairs": pairs}, ensure_ascii=False, indent=1)
                   + "\n")
    kinds: dict[str, int] = {}
    for pair in pairs:
        label = f"{'continuation' if pair['continuation'] else 'distinct'}/{pair['kind']}"
        kinds[label] = kinds.get(label, 0) + 1
    for label, n in sorted(kinds.items()):
        print(f"{label:32s} {n:4d}")
    print(f"{len(pairs)} pairs written to {OUT}")


if __name__ == "__main__":
    main()
