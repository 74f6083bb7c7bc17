"""Danger now, read from the words: the second safety net of the emergency intent.

The dialogue's keyword net (`core.dialogue.words.looks_like_emergency`) catches the classic
phrases. This one covers every kind of danger of the intent's definition with patterns on the
folded text: a fall with no way up, chest pain, breathing, someone who does not respond, fire
and smoke, gas, the signs of a stroke, choking, poisoning, heavy bleeding, a seizure, and calls
for the emergency services. A classifier alone cannot promise that no emergency is missed;
patterns written from the definition can be read, tested and extended.

What is told afterwards ("je suis tombée la semaine dernière"), said to be nothing serious, or
a booked appointment is a calm message: `told_calmly` keeps these patterns quiet (the model can
still recognise it), and `not_an_emergency` says so outright ("ce n'est pas une urgence").
"""

from __future__ import annotations

import re

from core.dialogue.words import calm_mentions_blanked, not_an_emergency, told_calmly
from nlu.text import fold

__all__ = ["danger_now", "not_an_emergency", "told_calmly"]

_DANGER = [
    # A fall with no way up.
    r"\b(peu[xt]?|jpeux|jpeu|arrive|n ?arrive|reussi[st]?|parvien[st]?) (pas|plus) (a )?"
    r"((me|se|te|la|le) (relever|lever|remettre debout)|relever)",
    r"\b(can'?t|cannot|unable to|can not) (get (back )?up(?! the| to| stairs| steps)|"
    r"stand up|lift (her|him) up|move (my|his|her) (leg|arm))",
    r"\b(i'?m|i am|he'?s|she'?s|is|lying|still|been) on the (floor|ground)",
    r"\b(je suis|jsui|chui|suis|est|reste|toujours) (par|a) terre?\b",
    r"\b(coince|coincee|stuck) (par terre|dans (ma|la|sa) baignoire|in the bath)",
    r"\b(ive|i'?ve|i have) fallen\b",
    r"\b(tombe|tombee|fallen|fell)\b[a-z' ]{0,20}(salle de bain|bathroom|douche|shower|"
    r"piscine|pool|pond|river|riviere|bassin|canal)",
    r"\b(hurle|scream|screaming|crie)[a-z ]{0,15}(de douleur|in pain)|\bin agony\b",
    r"\bne se releve (pas|plus)|\b(isn'?t|is not|not) getting up|can'?t get (him|her) up",
    r"\bimpossible de (me|se|le|la) (relever|lever)|can'?t get off the floor|"
    r"\b(je suis|suis|est|reste|toujours|allonge|allongee|etendu|etendue) (au|sur le) sol\b|"
    r"\b(bloque|bloquee|coince|coincee) (par terre|au sol|dans (ma|la|sa) (baignoire|douche))|"
    r"\b(had|taken) a (fall|tumble)[a-z' ]{0,30}(stuck|can'?t|cannot)|"
    r"col du femur|broken (my|his|her) hip",
    # Someone who does not respond, breathe or wake.
    r"\bne (repond|bouge|respire|reagit|parle) (plus|pas|rien)",
    r"\b(respire|respir|bouge|repond|parle) (plus|plu)\b",
    r"\b(not|isn'?t|is not|stopped) (breathing|breathin|responding|moving|answering|talking)",
    r"\b(won'?t|doesn'?t|does not|can'?t) (wake|breathe|respond)|\bunresponsive|"
    r"\b(gone|went|is) (all )?(limp|floppy)|\btout(e)? mou(lle)?\b",
    r"\bne se reveille (pas|plus)",
    r"\b(il|elle|mari|femme|pere|mere|voisine?|he|she|dad|mum|husband|wife|neighbour|"
    r"he'?s|she'?s|has|just)[a-z' ]{0,15}(effondr|ecroul|collapsed)|"
    r"(inconscient|evanoui|\bfainted|passed out|"
    r"tombe(r)? dans les pommes|perdre connaissance|perdu connaissance|lost consciousness|"
    r"black(ing)? out|pass(ing)? out|je me sens partir|feel like i'?m going\b)",
    # Breathing and choking.
    r"\b(du mal|de la peine) a respirer|\b(struggling|trouble|hard) to breathe|"
    r"short of breath|(catch|get) (my|his|her) breath|reprendre (mon|son) souffle|"
    r"\brespire (tres )?mal|essouffle(e)? meme assis",
    r"(s'?)?etouffe|\bchoking|avale de travers|fausse route|(swallowed|gone down) the wrong way|"
    r"s'?etrangle|\b(food|something|bone) (is )?stuck|avale[a-z' ]{0,25}de travers|"
    r"suffoqu|suffocat|gasping",
    r"\b(levres|lips)[a-z ]{0,12}bleu|turning blue|(gone|going) blue",
    r"crise d'?asthme|asthma attack",
    # Heart.
    r"\b(douleur|mal|serre|barre|oppression)[a-z ]{0,20}poitrine|poitrine[a-z ]{0,20}(serre|mal)",
    r"thoracique|\bchest[a-z ]{0,20}(pain|hurt|tight|squeez|crush)|"
    r"\b(pain|tight|tightness|band)[a-z ]{0,20}chest",
    r"\b(tient|clutch|clutching|holding) (la|sa|his|her|my) (poitrine|chest)",
    r"\b(coeur|cœur|heart)[a-z', ]{0,25}(serre|squeez|hurts|racing|s'?emballe|bat tres vite)",
    r"\b(crise cardiaque|infarctus|heart attack|arret cardiaque|cardiac arrest)",
    # Stroke.
    r"\b(bouche|visage|face|mouth)[a-z' ]{0,25}(de travers|paralyse|tombe|deforme|droop|"
    r"lopsided|twisted|moved|bouge|tordue|crooked)",
    r"\bparalyse(e)? d'?un cote|trouve plus ses mots|can'?t find (his|her|my) words",
    r"perdu la parole|lost (his|her|the power of) speech|yeux revulses|eyes (have )?rolled",
    r"(drole de|funny) colou?r|\b(gris|grey|gray)[a-z ]{0,12}(transpire|sueur|sweat)|"
    r"gargouill|gurgl",
    r"\b(bras|jambe|arm|leg|main|hand|side|cote)[a-z' ]{0,25}(ne (bouge|repond|tient)|"
    r"won'?t (move|work)|isn'?t working|can'?t (move|feel)|(plus|pas) (bouger|lever)|paralys)",
    r"\b(sens|feel) (plus|pas|not|nothing in)[a-z ]{0,10}(bras|jambe|arm|leg)",
    r"(parle bizarrement|bafouille|slurr|talking (funny|strangely)|talks funny|"
    r"can'?t (speak|talk)|\bdu mal a parler|n'?arrive (plus|pas) a parler|ne peut plus parler|"
    r"mots qui n'?existent pas|struggling to (talk|speak)|see(ing)? double|vois double|"
    r"(n'?y vois plus|can'?t see)[a-z ]{0,10}(d'?un|out of one) (oeil|œil|eye))",
    r"\b(avc|stroke)\b",
    # Seizures, low sugar.
    r"convuls|crise d'?epilepsie|\bseizure|having a fit|\bhypo\b",
    # Poisoning, fumes.
    r"\b(avale|bu|pris|swallowed|drank|drunk|taken|took)\b[a-z' ]{0,40}"
    r"(javel|bleach|produit (menager|vaisselle|ménager)|poison|detergent|washing up liquid|"
    r"white spirit|antigel|antifreeze)",
    r"(toute? (la|sa|ma) boite|trop de|tous (ses|mes) |too many|whole (box|packet|bottle)|"
    r"all (his|her|my) |deux fois|twice)[a-z' ]{0,30}(pilules|cachets|comprimes|medicaments|"
    r"somniferes|pills|tablets|medicine|sleeping)",
    r"\b(avale|swallowed)[a-z' ]{0,30}(pilules|cachets|comprimes|medicaments|pills|tablets)",
    r"(champignons|mushrooms)[a-z', ]{0,40}(vomi|sick|malade|mal au ventre|tummy)",
    r"(intoxi|empoisonn|poisoned|overdose|monoxyde|carbon monoxide)",
    r"\b(bu|avale|mange|drank|swallowed|ate)\b[a-z' ]{0,30}(desherbant|weedkiller|pesticide|"
    r"anti-?limaces?|slug pellets|alcool a bruler|methylated spirit|piles|batteries)",
    r"\b(mal a la tete|headaches?)[a-z', ]{0,60}(vomir|nausee|sick|poele|chaudiere|boiler|stove)|"
    r"\b(poele|chaudiere|boiler|stove)[a-z', ]{0,60}(mal a la tete|headache|vomi|sick|nausee)",
    r"\b(tete|head)[a-z', ]{0,30}(vomi|being sick|throwing up)",
    # Bleeding and burns.
    r"(saign|bleed|\bsang\b|\bblood\b)[a-z' ]{0,30}(beaucoup|partout|arrete pas|s'?arrete pas|"
    r"sans arret|a lot|everywhere|won'?t stop|doesn'?t stop|not stopping|badly|heavily)",
    r"\b(beaucoup|plein) de sang|lots of blood|a lot of blood|pisse le sang|blood everywhere",
    r"\b(brule|scald|burn)[a-z', ]{0,40}(main|bras|jambe|visage|hand|arm|leg|face|cloque|blister)",
    # Fire and gas.
    r"\b(il y a le feu|au feu|en feu|le feu (a|au|dans|chez|prend|a pris)|pris feu|prend feu|"
    r"flammes?|flames?|on fire|caught fire|caught alight|alight)\b",
    r"\b(maison|cuisine|appartement|house|kitchen|flat) (brule|is burning)",
    r"\b(fumee|smoke|smoking)[a-z ]{0,30}(partout|noire|everywhere|black|pleine|plein)|"
    r"(plein|pleine|full) de (fumee|smoke)|full of smoke|smoke (is )?coming (out|from)|"
    r"fumee epaisse|thick smoke|sent le brule|smell(s|ing)? (of )?burning",
    r"\b(gaz|gas)[a-z ]{0,20}(odeur|sent|smell|fuite|leak|siffl|hiss)|"
    r"\b(odeur|sent|sens|smell|smells|fuite|leak)[a-z ]{0,20}(gaz|gas)\b",
    # An intruder.
    r"\b(essaie|essaye|trying) (d'?entrer|to (break|get) in)|break(ing)? into|\bintrus|intruder",
    # Calls for help now.
    r"\b(appele[zr]?|appeler|call) (le |les |the |an |a )?"
    r"(15|18|112|999|911|samu|pompiers|secours|ambulance|fire brigade)\b",
    r"\b(need|besoin d'?une|faut|il faut) (appeler )?(an |une )?ambulance",
    r"\b(venez|viens|come) (vite|quick|quickly|fast)|vite vite|quick quick|\bsos\b",
    r"\bau secour|\bje vais mourir|\bi'?m dying|\bi think i'?m dying|"
    r"\bil faut (une ambulance|les pompiers|le samu)",
    r"\b(tombe|tombee|tombes|fell|fallen)[a-z' ]{0,40}(saign|bleed|bouge plus|not moving|"
    r"ne bouge)",
    # Spelled as typed in a hurry: "jarive pa a me relevé", "cant breath", "smel of gas".
    r"\b(j?ar+ive|j?peu[xt]?|peu[xt]?) (pa|pu|plu) (a )?(me |se )?(relev|lev)",
    r"\b(can'?t|cannot|cant|can not|hardly|barely) breath(e|ing)?\b|\b(hardly|barely) breathing",
    r"\b(respire|respir) (presque )?(plu|pu)\b|\bne respire presque plus|"
    r"\b(arrive|arive|peux|peu) (pas|pa|plus|plu|pu) a respir",
    r"\bsmel+s? (of )?(gas|gaz)|\b(gas|gaz) ?!",
    r"\b(poitrin+e?|ches+t)\b[a-z ]{0,20}(mal|fort|pain|help|aide)|"
    r"\b(mal|pain|douleur)[a-z ]{0,12}(poitrin+e?|ches+t)\b",
    r"\bsans connaissance|\bout cold\b|\b(y ?a|il y a) le feux?\b|\ble feux chez",
    r"\b(vomit|vomiting|vomi|vomit|vomissait|vomis) (du |de )?(sang|blood)",
    r"\b(saign|bleed)[a-z ]{0,12}(enormement|abondamment|profusely)",
    r"\b(s'?est |s'?)etrangle|\bstuck on the (floor|ground)|\bon the (floor|ground),? help",
    r"\b(ne )?(tiens|tient|tenir) (plus|plu|pas) debout|can'?t stay on (my|his|her) feet",
    # Hurried ("aide vite", "help quick"); "help" alone asks how the bot works.
    r"\b(aide[sz]?|aidez[- ]moi|help( me)?) (vite|quick|quickly)\b",
    r"\b(je me noie|drowning)\b|"
    r"\b(etincelles|sparks)[a-z ]{0,30}(tableau|fuse|electri|prise|socket)",
    r"\b(coince|trapped)[a-z ]{0,20}(voiture|car)|\baccident[a-z ]{0,30}(coince|trapped)",
]
_DANGER_NOW = re.compile("|".join(f"(?:{p})" for p in _DANGER))


def danger_now(text: str) -> bool:
    """Words that tell of a danger happening now, in a message not told calmly (fire words
    that name no fire, "fire drill", "allumer le feu dans la cheminée", an illness told before
    asking for a chore, an emergency only supposed, are left out first)."""
    folded = calm_mentions_blanked(fold(text))
    return any(_DANGER_NOW.search(part) for part in _parts(folded)) and not told_calmly(folded)


# A long message is searched in overlapping parts cut at spaces: one search of the whole
# pattern over 4 000 characters holds the interpreter lock ~100 ms (`re` never lets it go),
# which stalls the event loop that serves everybody; between parts, other threads run.
PART = 400
OVERLAP = 120  # longer than any danger phrase, so none is cut in two


def _parts(folded: str) -> list[str]:
    if len(folded) <= PART + OVERLAP:
        return [folded]
    parts, start = [], 0
    while start < len(folded):
        end = min(len(folded), start + PART + OVERLAP)
        if end < len(folded):
            end = max(folded.rfind(" ", start + PART, end), start + PART)
        parts.append(folded[start:end])
        if end >= len(folded):
            break
        following = folded.find(" ", end - OVERLAP, end)
        start = following + 1 if following != -1 else end - OVERLAP
    return parts
