"""The danger patterns of the emergency intent, on folded text (lower case, no accents): every
kind of danger of the intent's definition, each as it is written in a hurry, by its signs or by
someone who sees it. `nlu.emergency` searches them in the sentences not told calmly.

Written from the definition and from probe sets written apart (`tests/data/README.md`); each
kind has its examples, and everyday phrases that share its words, in
`tests/unit/test_nlu_emergency*.py`.
"""

from __future__ import annotations

import re

from nlu.dangers_beyond import BEYOND_THE_DEFINITION

# The kinds the intent's definition names (a fall, no response, breathing, choking, the heart,
# a stroke, a seizure, poisoning, bleeding, fire, gas), an intruder and calls for help, each as
# it is written in a hurry or seen by someone else; `nlu.dangers_beyond` holds the rest.
DANGER_PATTERNS = [
    # A fall with no way up.
    r"\b(peu[xt]?|jpeux|jpeu|arrive|n ?arrive|reussi[st]?|parvien[st]?) (pas|plus) (a )?"
    r"((me|se|te|la|le) (relever|lever|remettre debout)|relever)",
    r"\b(can'?t|cannot|unable to|can not) (get (back )?up(?! the| to| stairs| steps)|"
    r"stand up|lift (her|him) up|(move|lift|raise) (my|his|her) (leg|arm)\b(?! any ?more| above| "
    r"over| high| up| very| properly| since| for| well))",
    r"\b(peut|peux|arrive|arrivons|pouvons) (plus|pas) (a )?(lever|bouger|soulever) (son|sa|"
    r"mon|ma|le|la) (bras|jambe|main)\b",
    # Someone fallen whom nobody can lift: "comment je fais pour le relever, il est tombé".
    r"\b(tombe|tombee|fell|fallen|par terre|on the floor)\b[^.!?]{0,60}\b(pour (le|la) "
    r"relever|(get|lift) (him|her) (back )?up\b)|\b(pour (le|la) relever|(get|lift) (him|"
    r"her) (back )?up)\b[^.!?]{0,60}\b(tombe|tombee|fell|fallen|par terre|on the floor)\b|"
    r"\b(comment|how) (je fais|on fait|faire|fait-on|do i|do we|can i|can we) (pour )?(le|la|"
    r"get (him|her)|lift (him|her)) ?(relever|back up|up off)\b|\b(can'?t|cannot|can not) "
    r"(get|lift) (him|her) (back )?up\b(?! the| to| stairs| in the| for| early| before)",
    # ("unable to stand" after a fall; not "can't stand the noise", "unable to stand long".)
    r"\b(unable|not able) to (stand|walk|get to (his|her|my) feet)\b(?! (the|it|him|her|them|"
    r"this|that|being|people|noise|heat|cold|crowds|for|long|very|much))|"
    r"\b(had|has had|just had|took|has taken) a (bad |nasty )?(fall|tumble)\b[a-z' ,]{0,40}"
    r"\b(unable|can'?t|cannot|won'?t|not able|isn'?t able)\b",
    r"\b(i'?m|i am|he'?s|she'?s|is|lying|still|been) on the (floor|ground)",
    r"\b(lying|lies|laid out|sprawled|allonge|allongee|etendu|etendue)\b[a-z' ]{0,30}"
    r"\b(won'?t|doesn'?t|does not|not|isn'?t|ne|n'?) ?(answer|respond|move|moving|repond|"
    r"bouge|reagit)",
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
    r"\b(gone|went|is) (all )?(limp|floppy)\b|\btout(e)? mou(lle)?\b",
    r"\bne se reveille (pas|plus)",
    r"\b(il|elle|mari|femme|pere|mere|papa|maman|papi|mamie|voisine?|he|she|dad|mum|mom|"
    r"grandad|grandpa|gran|granny|nan|nanna|husband|wife|neighbour|"
    r"he'?s|she'?s|has|just|monsieur|madame|homme|dame|personne|man|woman|lady|someone|"
    r"somebody)[a-z' ]{0,15}(effondr|ecroul|collapsed)|"
    r"\b(slid|slumped|sliding|slumping) (off|down|out of) (the|his|her|my) (settee|sofa|chair|"
    r"couch|armchair|bed)|\beyes open but (nobody|no one) (home|there)|\bs'?est affaisse|"
    r"(inconscient|evanoui|\bfainted|passed out|"
    r"tombee?s?(r)? dans les pommes|(est|parti|partie|tombe|tombee) dans les vapes|"
    r"\bne revient (pas|plus) (a (elle|lui)|a soi)|won'?t come (round|to)\b|"
    r"perdre connaissance|perdu connaissance|lost consciousness|"
    r"black(ing)? out|pass(ing)? out|je me sens partir|feel like i'?m going\b)",
    # Breathing and choking.
    r"\b(du mal|de la peine) a respirer|\b(struggling|trouble|hard) to breathe|"
    r"short of breath|(catch|get) (my|his|her) breath|reprendre (mon|son) souffle|"
    r"\brespire (tres )?mal|essouffle(e)? meme assis",
    r"(s'?)?etouffe|\bchoking|avale de travers|fausse route|(swallowed|gone down) the wrong way|"
    r"s'?etrangle|\b(food|something|bone) (is )?stuck|avale[a-z' ]{0,25}de travers|"
    r"suffoqu|suffocat|gasping",
    r"\b(levres|lips)[a-z ]{0,12}(bleu|blue)|turning blue|(gone|going) blue|"
    r"\b(il|elle|he|she|he'?s|she'?s|mari|femme|papa|maman|bebe|baby|dad|mum|mom|husband|"
    r"wife)\b[a-z' ]{0,12}\b(est|is|looks?|a l'? ?air) (tout |toute |all )?(bleu|bleue|blue|"
    r"violet|violette|purple)\b(?! (de rage|with (rage|cold)|and white|et blanc|"
    r"in (her|his|a|the)|en))|"
    r"\b(devient|devenu|devenue|turning|going|gone|goes) (tout |toute |all )?(violet|violette|"
    r"bleu|bleue|purple)|"
    r"\b(gone|went|going) (rigid|stiff)\b",
    r"crise d'?asthme|asthma attack",
    # A tearing pain in the chest or back (an aorta that tears).
    r"\b(tearing|ripping) (pain|feeling|sensation)|\b(something'?s|something is) (tearing|"
    r"ripping)|\bdouleur (dechirante|en coup de poignard)|\b(ca|quelque chose) (se )?dechire "
    r"(dedans|a l'? ?interieur|dans (le|la|sa|son|mon|ma) (dos|poitrine|ventre))",
    r"\b(n'?ai|n'?a|j'?ai|il a|elle a|i have|i'?ve got) (plus|pas|no) (d'?air|air)\b|"
    r"\bje manque d'?air\b|\bne (peux|peut|peu|pouvait) (plus |pas )?respirer\b|"
    r"\bcan'?t get (any )?air\b",
    r"\b(ventoline|inhaler|inhalateur|pompe)\b[a-z' ]{0,25}(ne fait rien|marche pas|ne marche|"
    r"isn'?t working|not working|doesn'?t work|does nothing|n'?agit pas)|\b(can'?t|cannot) "
    r"(get|finish) (a|her|his|my) (full |whole )?sentence|\bne peut (plus|pas) finir (une|sa) "
    r"phrase|\bsiffle (quand|en) (elle |il |je )?respir|\bwheezing\b[a-z' ,]{0,30}(can'?t|"
    r"blue|grey|gray|lips|struggl)",
    # Heart.
    r"\b(douleur|mal|serre|barre|oppression)[a-z ]{0,20}poitrine|poitrine[a-z ]{0,20}(serre|mal)",
    r"thoracique|\bchest[a-z ]{0,20}(pain|hurt|tight|squeez|crush)|"
    r"\b(torse|thorax|sternum)\b[a-z' ]{0,20}(mal|douleur|serre|etau|poids|brule)|"
    r"\b(mal|douleur|etau|poids|barre|pression)[a-z' ]{0,20}(torse|thorax|sternum)\b|"
    r"\b(elephant|weight|pressure|heavy|crushing)[a-z' ]{0,20}(on|in|across) (my|his|her|the) "
    r"chest|\b(poids|pression|etau|enclume)[a-z' ]{0,20}(sur|dans) (la|ma|sa) poitrine|"
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
    # Told in fragments: "arm... not move".
    r"\b(arm|bras|leg|jambe|hand|main)\b[ .…,]{0,6}(not|no|pas|plus) ?(move|moving|bouge|bouger|"
    r"work|working|marche)\b",
    r"\b(sens|sent|feel|feels) (plus|pas|plu|not|nothing in)[a-z ]{0,10}(bras|jambe|arm|leg|"
    r"cote|side|moitie|half of)|\b(can'?t|cannot|can not) feel (my|his|her|the) (left|right|"
    r"arm|leg|side|face|hand)|\b(numb|engourdi|engourdie)[a-z' ]{0,20}(one side|d'?un cote|"
    r"cote (gauche|droit)|left side|right side|down (one|the left|the right) side)",
    r"\b(smile|sourire|face|visage)[a-z' ]{0,15}(wonky|lopsided|de travers|tordu)|"
    r"\b(can'?t|cannot) (raise|lift) both arms|\bwords (come|coming|came) out (wrong|"
    r"jumbled|muddled)|\b(mots|phrases) (sortent|sortaient) (mal|de travers)|"
    r"\barticule (tres |super )?mal\b|\b(can'?t|cannot|n'?arrive (plus|pas) a|peut (plus|pas)) "
    r"(hold|tenir) (his|her|my|sa|son|ma|mon) (cup|tasse|verre|glass|fourchette|fork)|"
    r"(parle bizarrement|bafouille|slurr|talking (funny|strangely)|talks funny|"
    r"can'?t (speak|talk)|\bdu mal a parler|n'?arrive (plus|pas) a parler|ne peut plus parler|"
    r"mots qui n'?existent pas|struggling to (talk|speak)|see(ing)? double|vois double|"
    r"(n'?y vois plus|can'?t see)[a-z ]{0,10}(d'?un|out of one) (oeil|œil|eye))",
    r"\b(avc|stroke)\b|\b(fait|fais|faire|a fait|en train de faire|a eu|a) une (petite )?"
    r"attaque\b(?! (de panique|d'? ?angoisse|de goutte))|\bcongestion cerebrale|\bsyncope\b",
    # Found dead, or thought so: the emergency services still come first.
    r"\b(il|elle|he|she|he'?s|she'?s|mari|femme|papa|maman|pere|mere|voisine?|dad|mum|mom|"
    r"husband|wife|neighbour)\b[a-z' ]{0,15}\b(est |is |looks |semble |a l'? ?air |(?<=he's )|"
    r"(?<=she's )|(?<=hes )|(?<=shes ))(mort|morte|"
    r"dead|decede|decedee)\b(?! (de|d'|tired|on|beat|right|set|keen|easy|funny|against|serious|"
    r"good|lucky|quiet|boring|slow|late|end|depuis|since|for|en|in|il y a))",
    r"\b(mots|phrases|paroles|dit des choses)[a-z' ]{0,25}(aucun sens|pas de sens|"
    r"sans queue ni tete|incomprehensibles?)|\b(words|sentences|talking)[a-z' ]{0,20}"
    r"(no sense|nonsense|jumbled|garbled)|\bgibberish\b",
    # Seizures, low sugar.
    r"convuls|crise d'?epilepsie|\bseizure|having a fit|\bhypo\b",
    # Poisoning, fumes.
    r"\b(avale|bu|pris|swallowed|drank|drunk|taken|took|bit|bitten|chewed|licked|got into|"
    r"mordu|croque|machouille|leche)\b[a-z' ]{0,40}"
    r"(javel|bleach|produit (menager|vaisselle|ménager)|poison|detergent|washing up liquid|"
    r"deboucheur|destop|drain cleaner|caustic|soude caustique|lye|"
    r"white spirit|antigel|antifreeze)",
    # ("call my doctor so he prescribes me sleeping tablets" is no overdose: words, not parts.)
    r"\b(toute? (la|sa|ma) boite|trop de|tous (ses|mes) |too many|2 many|"
    r"whole (box|packet|bottle)|all (his|her|my) |deux fois|twice)[a-z' ]{0,30}(pilules|"
    r"cachets|comprimes|medicaments|somniferes|pills|tablets|medicine|sleeping)",
    r"\b(avale|swallowed)[a-z' ]{0,30}(pilules|cachets|comprimes|medicaments|pills|tablets)",
    r"\b(took|taken|had|pris|pri|fait|faite)\b[a-z' ]{0,30}(pills|tablets|meds|medication|"
    r"cachets?|medicaments|medocs|insuline|insulin|dose)[a-z' ]{0,20}\b(twice|two times|2 fois|"
    r"deux fois)\b|\b(took|taken|take) (double|twice) (my|his|her|the) (meds|medication|dose|"
    r"pills|tablets)|\btrompee? de (pilulier|medicaments|cachets|boite)|\b(wrong|someone "
    r"else'?s) (pills|tablets|medication|meds)\b(?! (box|organi))",
    r"\b(pris|pri|avale|took|taken|swallowed|ate)\b[a-z' ]{0,12}\b([6-9]|[1-9]\d|six|sept|"
    r"huit|neuf|dix|douze|quinze|vingt|seven|eight|nine|ten|twelve|fifteen|twenty)\b"
    r"[a-z' ]{0,12}(cachets?|comprimes?|gelules?|pilules?|pills?|tablets?|capsules?)|"
    r"\b(cachets?|comprimes?|gelules?|pilules?|pills?|tablets?|medicaments|doses?)\b"
    r"[a-z' ]{0,40}\b(par erreur|by mistake|by accident)|\b(par erreur|by mistake|by "
    r"accident)\b[a-z' ]{0,30}\b(cachets?|comprimes?|pills?|tablets?|medicaments|doses?)\b",
    r"\b(pills?|tablets?|cachets|comprimes|medicaments|medocs|pilulier|pill ?(organi[sz]er|box)|"
    r"dosette|semainier|somniferes)\b[a-z' ]{0,30}(in one go|all at once|at once|d'?un (seul )?"
    r"coup|en une (seule )?fois|tous ensemble|en meme temps)",
    r"(champignons|mushrooms)[a-z', ]{0,40}(vomi|sick|malade|mal au ventre|tummy)",
    r"(intoxi|empoisonn|poisoned|overdose|monoxyde|carbon monoxide)",
    r"\b(bu|avale|mange|drank|swallowed|ate)\b[a-z' ]{0,30}(desherbant|weedkiller|pesticide|"
    r"anti-?limaces?|slug pellets|alcool a bruler|methylated spirit|piles|batteries)",
    r"\b(mal a la tete|headaches?)[a-z', ]{0,60}(vomir|nausee|sick|poele|chaudiere|boiler|stove)|"
    r"\b(poele|chaudiere|boiler|stove)[a-z', ]{0,60}(mal a la tete|headache|vomi|sick|nausee)",
    r"\b(tete|head)[a-z', ]{0,30}(vomi|being sick|throwing up)|"
    r"\b(vomi|being sick|throwing up|thrown up)[a-z0-9', ]{0,40}(mal a la tete|headache)",
    # Bleeding and burns.
    r"(saign|bleed|\bsang\b|\bblood\b)[a-z' ,]{0,30}(beaucoup|partout|arrete pas|s'?arrete pas|"
    r"sans arret|a lot|everywhere|won'?t stop|doesn'?t stop|not stopping|badly|heavily)",
    r"\b(beaucoup|plein) de sang|lots of blood|a lot of blood|pisse le sang|blood everywhere",
    r"\b(brule|scald|burn)[a-z', ]{0,40}(main|bras|jambe|visage|hand|arm|leg|face|cloque|blister)",
    # Fire and gas.
    r"\b(il y a le feu|au feu|en feu|le feu (a|au|dans|chez|prend|a pris)|pris feu|prend feu|"
    r"flammes?|flames?|on fire|caught fire|caught alight|alight)\b",
    r"\b(maison|cuisine|appartement|house|kitchen|flat) (brule|is burning)",
    r"^\W*feu\b(?! d'? ?artifice| de (bois|camp|cheminee|joie|la saint)| rouge| vert)|"
    r"\bfeu (chez|dans (la|le|l'? ?|mon|ma|sa|son|leur|notre) ?(?!cheminee|poele|foyer|"
    r"barbecue|insert)[a-z])",
    r"\b(fumee|smoke|smoking)[a-z ]{0,30}(partout|noire|everywhere|black|pleine|plein)|"
    r"(plein|pleine|full) de (fumee|smoke)|full of smoke|smoke (is )?coming (out|from)|"
    r"fumee epaisse|thick smoke|sent le brule|smell(s|ing)? (of )?burning|"
    r"\b(fumee|smoke)\b[a-z' ]{0,10}\b(sort|sortait|s'? ?echappe|passe sous|coming under|"
    r"pouring)\b",
    r"\b(gaz|gas)[a-z ]{0,20}(odeur|sent|smell|fuite|leak|siffl|hiss|s'?echappe|escaping)|"
    r"\b(oeuf|œuf|oeufs) pourris?|rotten eggs?\b|\b(reeks|stinks|stinking|reeking|pue|"
    r"empeste) (of )?(le |du )?(gas|gaz)\b|"
    r"\b(odeur|sent|sens|smell|smells|fuite|leak)[a-z ]{0,20}(gaz|gas)\b",
    # An intruder.
    r"\b(essaie|essaye|trying) (d'?entrer|to (break|get) in)|break(ing)? into|\bintrus|intruder",
    # Calls for help now.
    r"\b(ring|phone|dial|telephoner au|composer le|faire le) (the |an |a )?(15|18|112|999|911|"
    r"samu|pompiers|ambulance)\b(?! (if|si|when|quand|in case|en cas))",
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
    r"\b(vomit|vomiting|vomi|vomit|vomissait|vomis) (du |de )?(sang|blood)|coffee grounds|"
    r"marc de cafe|\bcoughing (up )?blood|\bcrache du sang",
    r"\b(saign|bleed)[a-z ]{0,12}(enormement|abondamment|profusely)",
    r"\b(s'?est |s'?)etrangle|\bstuck on the (floor|ground)|\bon the (floor|ground),? help",
    r"\b(ne )?(tiens|tient|tenir) (plus|plu|pas) (debout|sur (mes|ses) jambes)|"
    r"can'?t stay on (my|his|her) feet",
    # Hurried ("aide vite", "help quick"); "help" alone asks how the bot works.
    r"\b(aide[sz]?|aidez[- ]moi|help( me)?) (vite|quick|quickly)\b",
    r"\b(je me noie|drowning)\b|"
    r"\b(etincelles|sparks)[a-z ]{0,30}(tableau|fuse|electri|prise|socket)",
    r"\b(coince|trapped)[a-z ]{0,20}(voiture|car)|\baccident[a-z ]{0,30}(coince|trapped)",
    *BEYOND_THE_DEFINITION,
]
_COMPILED = [re.compile(pattern) for pattern in DANGER_PATTERNS]


def danger_in(folded: str) -> bool:
    """Whether any danger pattern is in `folded`. Searched one pattern at a time: a single
    alternation of them all tries every pattern at every letter, about ten times slower on a
    long message than these searches, each of which skips ahead to its own first letters."""
    return any(pattern.search(folded) for pattern in _COMPILED)
