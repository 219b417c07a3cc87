"""Families whose workers pick from choices (``single_choice`` and ``multi_choice``)."""

from __future__ import annotations

from .records import Family, domain, family

SENTIMENT: Family = {
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
                   "area": ["old town", "airport", "beach", "station"]}}]}

TOXICITY: Family = {
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
                   "threat": ["be fired", "check the facts", "move away"]}}]}

PRODUCTS = family(
    "products", "Shelf",
    "{name} sorts {listing} into categories. Read the title and the description of the "
    "listing. Choose the one category that fits the product best. If a product could "
    "belong to two categories, choose the one a shopper would browse first. Bundles go "
    "to the category of the main item. Accessories such as cases or cables have their "
    "own category. Do not open external links. If the listing is unreadable or not a "
    "product at all, choose the last category and leave a comment. Work at your own "
    "pace; accuracy is checked with known answers mixed into the queue.",
    {"type": "single_choice", "choices": ["phones", "laptops", "audio", "cameras", "other"]},
    {"type": "free_text", "max_length": 200},
    domain({"listing": "electronics listings"},
           {"title": ["{brand} {item} {spec}"],
            "description": ["Brand new {item} from {brand} with {feature}.",
                            "Comes with {extra}; {spec} model.", "Ships from {place}."]},
           {"brand": ["Samsung", "Lenovo", "Sony", "Anker", "Canon", "Apple"],
            "item": ["phone", "laptop", "headphones", "camera", "charger", "tablet"],
            "spec": ["128 GB", "15 inch", "wireless", "4K", "65 W", "noise cancelling"],
            "feature": ["a long battery life", "fast charging", "a metal body"],
            "extra": ["a USB-C cable", "a carrying case", "two batteries"],
            "place": ["Germany", "a local warehouse", "the EU"]}),
    domain({"listing": "grocery listings"},
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
            "storage": ["refrigerated", "in a dry place", "frozen"]}))

TRIAGE = family(
    "triage", "Pulse",
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
    domain({"messages": "questions from patients", "expert": "nurse"},
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
    domain({"messages": "IT helpdesk tickets", "expert": "system administrator"},
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
            "error": ["error 500", "a blank page", "a certificate warning"]}))

SPAM = family(
    "spam", "Filter",
    "{name} builds a filter for {channel}. Read the message and decide whether it is "
    "spam. Spam is unsolicited bulk advertising, phishing, fake prizes, scams and "
    "messages that try to make you click a suspicious link. Messages from services the "
    "person uses, such as delivery notices or appointment reminders, are not spam even "
    "if automated. Personal messages are never spam. If a message asks for a password "
    "or bank details, it is spam. Do not click any link in the messages. Choose not spam "
    "when you cannot tell.",
    {"type": "single_choice", "choices": ["spam", "not spam"]},
    {"type": "rating", "min": 1, "max": 5},
    domain({"channel": "SMS messages"},
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
    domain({"channel": "job postings"},
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
            "skill": ["Excel", "patient care", "forklifts", "SQL"]}))

TOPICS = family(
    "topics", "Atlas",
    "Welcome to {name}. Each task shows one {item}. Select every tag that applies; "
    "select at least one. A tag applies when a reader looking for that topic would be "
    "glad to find this {item}. Do not select a tag because a single word matches; the "
    "{item} must really be about it. Tags are independent, so several can apply at the "
    "same time. Use the comment field if an important topic is missing from the list. "
    "Gold tasks with known answers are mixed in and used only to give you feedback.",
    {"type": "multi_choice", "choices": ["politics", "sports", "science", "culture", "economy"]},
    {"type": "single_choice", "choices": ["relevant", "irrelevant"]},
    domain({"item": "news article"},
           {"headline": ["{actor} {verb} {object}"],
            "text": ["{actor} {verb} {object} after {event}.",
                     "Observers say the move affects {field}."]},
           {"actor": ["Parliament", "The national team", "Researchers", "The museum"],
            "verb": ["approves", "wins", "discovers", "reopens"],
            "object": ["the budget", "the cup", "a new species", "its gallery"],
            "event": ["a long debate", "extra time", "years of work", "renovation"],
            "field": ["taxpayers", "fans", "climate science", "tourism"]}),
    domain({"item": "recipe"},
           {"headline": ["{style} {dish} with {ingredient}"],
            "text": ["Cook the {dish} for {time} and top with {ingredient}.",
                     "Serves {n}; costs about {cost}."]},
           {"style": ["Quick", "Spicy", "Vegan", "Classic"],
            "dish": ["lentil stew", "chocolate cake", "noodle salad", "chili"],
            "ingredient": ["coriander", "chili flakes", "berries", "tofu"],
            "time": ["15 minutes", "an hour", "30 minutes"],
            "n": ["two", "four", "six"],
            "cost": ["five euros", "ten dollars", "very little"]}))

EMOTION = family(
    "emotion", "Echo",
    "{name} annotates emotions in {texts}. Read the text and select all emotions that "
    "the writer expresses: joy, anger, sadness, fear or surprise. Select none of them "
    "only if the text is purely factual; then choose the neutral option. Emotions of "
    "other people mentioned in the text do not count, only the writer's own. Emojis "
    "count as expressions of emotion. Irony often signals anger. Do not overthink: "
    "your first reading is usually right.",
    {"type": "multi_choice",
     "choices": ["joy", "anger", "sadness", "fear", "surprise", "neutral"]},
    {"type": "rating", "min": 1, "max": 5},
    domain({"texts": "short social media posts"},
           {"text": ["Can't believe {event} {reaction}", "{event} again... {reaction}",
                     "Just {did} {emoji}"]},
           {"event": ["my flight got cancelled", "we won the final", "my cat is sick",
                      "the exam is tomorrow"],
            "reaction": ["!!!", "so happy", "I'm furious", "scared tbh", "wow"],
            "did": ["finished my first marathon", "got the job", "missed the bus"],
            "emoji": [":)", ":(", "<3", ":O"]}),
    domain({"texts": "call-centre transcripts"},
           {"text": ["Customer: I have called {n} times about my {issue}.",
                     "Customer: Thank you, {outcome}.",
                     "Customer: I'm worried that {worry}."]},
           {"n": ["three", "five", "ten"],
            "issue": ["refund", "broken router", "wrong invoice", "contract"],
            "outcome": ["that solved it", "you were very kind", "finally it works"],
            "worry": ["my data was leaked", "I will be charged twice",
                      "the line gets cut"]}))
