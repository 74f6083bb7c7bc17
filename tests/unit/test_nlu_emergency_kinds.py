"""Dangers beyond falls, hearts and fires: violence, despair, a person lost in the cold, water
on electricity, a crash heard from afar, low sugar; a danger that lasts after a calm word; and
the everyday phrases with the same words, which sound no alarm.

Written apart from the training data and the hold-out sets (and not copied from the probe
messages that showed these kinds were missing)."""

from __future__ import annotations

import pytest

from core.dialogue.danger_words import looks_like_emergency
from nlu.emergency import danger_now
from nlu.interpreter import EMERGENCY_THRESHOLD, decide_intent
from nlu.training_data import load_training_data


def _alarm(text: str) -> bool:
    return looks_like_emergency(text) or danger_now(text)


@pytest.mark.parametrize(
    "text",
    [
        # Violence and a break-in now.
        "deux hommes essayent de forcer la porte de derrière",
        "someone is kicking in my door right now",
        "mon petit-fils me menace avec un couteau",
        "he's threatening to kill me if I don't sign",
        "il m'a frappée et il est encore là",
        "they broke the window and are inside now",
        "il y a quelqu'un dans ma chambre, je ne le connais pas",
        # Despair.
        "je n'ai plus envie de vivre",
        "je vais en finir ce soir",
        "I don't want to live anymore",
        "I'm going to end it all",
        "j'ai envie de mourir",
        # Lost, cold, confused.
        "je ne sais plus où je suis et il fait nuit",
        "my dad doesn't know where he is, he's wandering near the canal",
        "maman a alzheimer et elle a fugué cet après-midi",
        "elle est perdue dehors dans le froid sans manteau",
        "je suis gelé, je sens plus mes pieds et j'ai sommeil",
        "my neighbour has been shivering outside for hours",
        "il fait un coup de chaleur, il délire",
        # Water on electricity, a crash from afar, sugar.
        "l'eau ruisselle sur le tableau électrique et il y a des étincelles",
        "sparks coming from the socket and there's water on the floor",
        "au téléphone j'ai entendu un gros bruit puis plus rien",
        "heard a thud and then nothing, she's not answering",
        "sa glycémie est à 2,3 et il tremble",
        "je fais une hypo, je tremble",
        "he talks gibberish since ten minutes",
        "elle dit des mots qui n'ont aucun sens",
        "URGENT venez vite",
        # Help asked while the emergency services come, or are on the line.
        "j'ai appelé les pompiers, quelqu'un peut venir tenir la porte ?",
        "the ambulance is on its way, can a neighbour sit with him till then?",
        "le 15 est en ligne, ils veulent que quelqu'un fasse le massage cardiaque",
        # Crushed, fallen off a ladder, down the stairs with blood.
        "l'armoire est tombée sur elle, on n'arrive pas à la soulever",
        "he's pinned under the fridge",
        "mon mari est tombé de l'échelle dans le jardin",
        "she fell down the stairs and there's blood on her head",
        # Typed by sound, or seen from afar.
        "cnt breth pls",
        "jsai pa ou jsui",
        "y a un gars qui veut rentrer chez moi j'ai peur",
        "my uncle slumped off his chair and won't answer",
        "she's grey and clammy and talks nonsense",
        "il devient tout bleu en mangeant",
        "the toddler next door swallowed a dishwasher tablet",
        # Fever with confusion, a breathing machine stopped, a wound that spurts, a jump.
        "papa a 40,2 et il ne me reconnaît plus",
        "she's at 39.9, shaking all over and confused",
        "le concentrateur d'oxygène de maman s'est arrêté avec la coupure",
        "la hache a ripé sur sa jambe, ça gicle",
        "his drip has come out and there's blood all over the bed",
        "mon fils menace de se jeter du balcon",
        "fell off the stool, hip hurts, door's unlocked",
        # Found missing by the fifth and sixth probe sets (written here in other words).
        "je ne sens plus mon côté droit d'un coup",
        "I can't feel the left side of my face",
        "la voisine l'entend gémir dans la salle de bain",
        "a man with a crowbar at my kitchen window",
        "someone is trying the front door handle, I'm alone",
        "the man at the door says he'll hurt me if I don't let him in",
        "le type dehors dit qu'il va me frapper",
        "the baby has bitten into a laundry capsule",
        "he took his whole pill box in one go",
        "j'ai pris 12 comprimés par erreur",
        "Feu au garage de M. Blanc, il est dedans",
        "feu dans la chambre de maman",
        "dad has had a bad fall and is unable to stand",
        "je n'ai plus d'air, même assise",
        "de la fumée sort par la porte de Mme Pons",
        "il y a un homme qui va entrer par la fenêtre, j'ai peur",
        "M. Roux disparu depuis ce matin, démence, pas de manteau",
        "a tearing pain through to her back, she says something's ripping",
        "plus de chauffage, il est glacé et il délire",
        "il dit qu'il va bien mais il ne tient plus sur ses jambes",
        "she says she's fine but she's lying on the landing and won't answer",
        "tout va bien sauf que papi s'est effondré au salon",
        "comment on fait pour la relever ? elle est tombée du lit",
        "is it normal that he can't raise his arm all of a sudden?",
        "I can hear the lady upstairs calling out help",
        # Signs the model alone used to carry (the nets now hold them too).
        "ma mère est tombée dans les pommes et ne revient pas à elle",
        "her inhaler does nothing and she can't finish a sentence",
        "j'ai un poids énorme sur la poitrine",
        "like a weight pressing on his chest",
        "mon mari a mal au torse et il transpire",
        "her smile has gone wonky all of a sudden",
        "il articule mal et n'arrive plus à tenir son verre",
        "I took my water tablets twice this morning and feel faint",
        "elle s'est trompée de pilulier",
        "he vomited something like coffee grounds",
        "ça sent l'œuf pourri dans l'entrée",
        "the whole landing reeks of gas",
        "found my neighbour on the floor of her kitchen",
        "le bracelet de téléassistance de papa a sonné et il ne répond pas",
        "her curtains have been shut for two days and she doesn't answer",
        "my nephew has a knife and he's shouting at gran",
        "je me suis enfermée dans la salle de bain, il est dans le salon",
        "the CO alarm is going off and we all have headaches",
        "l'alarme de monoxyde sonne dans la chambre de papi",
        "she had prawns at lunch and her lips are swelling",
        "l'eau monte vite dans le salon, maman ne peut pas monter l'escalier",
        # The eighth probe set's misses, in other words.
        "ma fille a avalé du Destop",
        "he swallowed some drain cleaner from under the sink",
        "I'm stuck between the toilet and the wall, can't shift",
        "red spots on his legs that stay when I press a glass on them",
        "très forte fièvre et elle est confuse depuis ce matin",
        # The ninth probe set's misses (non-native, dictated, fragments), in other words.
        "leg... no move. cant get up. alone",
        "Mr Field found on floor in kitchen, very cold",
        "dog bit her hand, blood much, not stop",
        "something's burning behind the fridge",
        "la télé fume dans le salon de mamie",
        "the man next door is shouting for help since an hour",
        "please ring 999 for my dad, he is grey",
        "the carbon monoxide alarm is going off, maybe the battery? we all feel dizzy",
        # A danger that lasts after a calm word.
        "je suis tombée hier soir et je suis toujours par terre",
        "I fell last night, I'm still on the floor",
    ],
)
def test_a_danger_of_every_kind_sounds_the_alarm(text: str) -> None:
    assert _alarm(text)


@pytest.mark.parametrize(
    "text",
    [
        "il me bat toujours à la belote, ça me ferait plaisir de rejouer",
        "he keeps beating me at chess, fancy a game on Sunday?",
        "ce manteau m'a tapé dans l'œil, qqn pour m'accompagner l'acheter ?",
        "je veux en finir avec ces papiers de la CAF, qqn pour m'aider ?",
        "I want to end it with my energy supplier, can someone help with the forms?",
        "je ne veux plus vivre seule, qqn pour passer me voir ?",
        "I don't want to live alone any more, could someone visit?",
        "ma mère a alzheimer, qqn pour lui tenir compagnie pendant que je suis partie ?",
        "j'ai perdu mes clés hier soir, il faisait nuit",
        "je ne sais pas comment rentrer après le rendez-vous, qqn pour me ramener ?",
        "c'est urgent, j'ai besoin d'aide pour ma déclaration d'impôts",
        "I asked for help last week, then nothing",
        "l'interrupteur grésille parfois, qqn pour regarder ?",
        "je fais des hypoglycémies parfois, qqn pour mes courses ?",
        "j'ai failli tomber dans l'escalier mais tout va bien",
        "mort de rire avec votre message",
        "I'm dying for a cup of tea",
        "je suis tombée des nues",
        "ce gâteau est à tomber par terre",
        "que faire si on sent le gaz ? c'est juste pour savoir",
        "what are the signs of a heart attack?",
        "si un jour ma mère ne répond plus, vous pouvez passer ?",
        "I fell last year and still can't get up the stairs alone",
        "j'ai fait une formation au massage cardiaque samedi, très bien",
        "est-ce que vous venez la nuit en cas de chute, ou faut-il appeler le 15 ?",
        "I called the ambulance service last month to thank them",
        "the shelf came down on the carpet, could someone put it back up?",
        # Stories, questions and courses that name a danger.
        "hier dans mon feuilleton le grand-père a fait une crise cardiaque",
        "on the telly last night a man collapsed in the street, awful",
        "le bot peut-il appeler les pompiers si un jour je tombe ?",
        "comment signaler une urgence ici ? je demande juste pour savoir",
        "ma tante racontait l'incendie de la ferme en 1976",
        "she told me about her chest pains years ago, all fine today",
        "could someone fit a smoke alarm? I'm nervous since the fire next door",
        "I have a first aid certificate if that helps with the jobs",
        "elle parle comme si elle avait bu, c'est son humour",
        # Idioms, questions, prevention and burnt food (fifth and sixth probe sets' kinds).
        "je suis tombée de haut en lisant la lettre de la banque",
        "est-ce que le bot peut appeler le SAMU en cas de malaise ?",
        "will this app call the fire brigade if my alarm goes off?",
        "ma gazinière ne s'allume plus mais ça ne sent pas le gaz",
        "the cooker won't start, no smell of gas at all",
        "my granddaughter says my new coat is fire",
        "the cat got stuck on the roof and the fire brigade had to come, what a day",
        "aux infos ce matin, une fuite de gaz à Lyon, quelle histoire",
        "if you smell gas in a flat, do you open the windows first?",
        "help, my printer has stopped working again",
        "au secours, mon ordinateur ne s'allume plus !",
        "j'ai fait brûler le gâteau, ça sent le cramé mais tout va bien",
        "burnt my dinner, the whole house smells, all fine",
        "can someone sort my pills so I don't take a double dose by mistake?",
        "j'ai du mal à respirer quand je monte la côte, le médecin le sait",
        "il a le feu aux fesses depuis sa retraite",
        "the sky is all blue this morning, lovely",
        "could someone help me get him up in the morning for the bus?",
        "après l'anesthésie je serai dans les vapes, qqn pour me ramener ?",
        "my new inhaler works much better, thanks to the pharmacist",
        "I found my glasses on the floor behind the sofa",
        "could someone check my alarm pendant battery?",
        "I keep my curtains shut in the afternoon because of the heat",
        "could someone sharpen my kitchen knife? it's blunt",
        # The seventh probe set's kinds of near miss, in other words.
        "I couldn't breathe for laughing at the quiz last night",
        "if my husband ever had a fall at night, who would come?",
        "si je tombais la nuit, est-ce qu'un bénévole viendrait ?",
        "thank you for coming when I fell on Friday, the paramedics were lovely",
        "merci d'être venue quand j'ai fait mon malaise jeudi",
        "could someone fit new batteries in my carbon monoxide alarm?",
        "le détecteur de monoxyde bipe, il faut changer la pile",
        "the freezer is all iced up and choking it up, could someone defrost it?",
        "he snores like he's choking, the doctor gave him a machine",
        "on Coronation Street last night a man collapsed in the Rovers",
        "ça sent le brûlé, c'est le voisin qui fait son barbecue",
        "aidez-moi à brûler les feuilles, seule je mettrais le feu partout",
        "my chest gets a bit tight with this cold, nothing new",
        "l'eau monte dans la casserole, je fais des pâtes",
        "I love peanuts, could someone bring me a bag?",
        "c'est urgent, venez voir mon nouveau chapeau quand vous pourrez",
        "on étouffe de chaleur ici, qqn a un ventilateur ?",
        "my head is spinning with all these forms",
        "are the volunteers trained in first aid?",
        "the defibrillator has moved next to the pharmacy",
        "I'll faint if I see the gas bill again",
        "a good crime novel where the butler is poisoned, anyone want it?",
        "I'd like the gutters cleared, I don't want another fall from the ladder",
        "j'ai pris de l'acide folique ce matin comme prévu",
        "my arm does not move well since the operation last year, could someone iron for me?",
        "the old detector for carbon monoxide is out of date, who can change it?",
        "if the pain comes back should I ring 999?",
        "Bonjour. Merci. Tout va bien.",
        "je ne peux plus lever le bras depuis l'opération, qqn pour les vitres ?",
        # Found by running the nets over the training data's calm examples.
        "the garage door is stuck halfway, could someone look at it?",
        "the fire engines were out all night on the bypass",
        "qqn pour le ménage tous les 15 jours, je n'y arrive plus",
        "j'ai touché un bouton et je ne sais plus où je suis dans le menu",
        "could you call my GP so he renews my sleeping tablets?",
    ],
)
def test_the_same_words_in_everyday_phrases_sound_no_alarm(text: str) -> None:
    assert not _alarm(text)


def test_a_model_alarm_made_only_of_idioms_is_judged_again_without_them() -> None:
    """The model's emergency score of the message with its idioms blanked decides."""
    judged: list[str] = []

    def rescore(text: str) -> float:
        judged.append(text)
        return 0.1

    ranking = [("emergency", 0.83), ("out_of_scope", 0.1)]
    text = "la voiture est tombée en panne, je décale ma visite"
    intent, _ = decide_intent(ranking, text, rescore=rescore)
    assert intent == "out_of_scope"
    assert judged and "tombee" not in judged[0]


def test_a_model_alarm_with_no_idiom_is_not_judged_again() -> None:
    def rescore(text: str) -> float:
        raise AssertionError("no idiom, nothing to judge again")

    ranking = [("emergency", EMERGENCY_THRESHOLD + 0.1), ("request_help", 0.1)]
    intent, _ = decide_intent(ranking, "she looks very strange and pale", rescore=rescore)
    assert intent == "emergency"


def test_a_model_alarm_that_stands_without_the_idiom_stays_an_alarm() -> None:
    ranking = [("emergency", 0.9), ("request_help", 0.05)]
    text = "ma voiture est tombée en panne et elle ne respire plus très bien"
    intent, _ = decide_intent(ranking, text, rescore=lambda _t: 0.8)
    assert intent == "emergency"


def test_the_nets_sound_no_alarm_on_the_calm_examples_of_the_training_data() -> None:
    """Thousands of everyday messages written for the model, "au secours, mon ordinateur..."
    and "no gas smell" among them: the nets must leave every one alone."""
    calm = [e.text for e in load_training_data().examples if e.intent != "emergency"]
    alarms = [text for text in calm if _alarm(text)]
    assert len(calm) > 3000
    assert alarms == []


@pytest.mark.parametrize(
    "text",
    [
        "Maman a glissé hier dans le jardin, elle s'est relevée seule, tout va bien",
        "my dad slipped on the step, got straight back up, he's fine",
        "plus de peur que de mal pour mon mari ce matin, juste un bleu",
    ],
)
def test_a_model_alarm_on_news_said_to_end_well_without_a_danger_word_is_no_alarm(
    text: str,
) -> None:
    ranking = [("emergency", 0.9), ("out_of_scope", 0.05)]
    intent, _ = decide_intent(ranking, text)
    assert intent == "out_of_scope"


@pytest.mark.parametrize(
    "text",
    [
        "elle dit qu'elle va bien mais elle est très pâle et elle transpire",
        "he keeps saying he's fine, he looks so strange",
        "I'm fine but mum is acting very strange",
        "je ne sais pas s'il va bien, il a une drôle de voix",
    ],
)
def test_a_reassurance_reported_doubted_or_followed_by_but_leaves_the_model_alarm(
    text: str,
) -> None:
    ranking = [("emergency", 0.9), ("out_of_scope", 0.05)]
    intent, _ = decide_intent(ranking, text)
    assert intent == "emergency"


@pytest.mark.parametrize(
    "text",
    ["helpmepleasesomeonefellinthebathroom", "vitevenezmamanesttombeeparterre"],
)
def test_a_panic_typed_without_spaces_asks_whether_she_is_in_danger(text: str) -> None:
    intent, confidence = decide_intent([("out_of_scope", 0.9)], text)
    assert intent == "emergency" and confidence < 0.6


@pytest.mark.parametrize(
    "text", ["anticonstitutionnellement", "https://example.org/helpandsupportcentre"]
)
def test_a_long_word_or_a_link_is_no_panic(text: str) -> None:
    intent, _ = decide_intent([("out_of_scope", 0.9)], text)
    assert intent == "out_of_scope"
