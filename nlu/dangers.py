"""The danger patterns of the emergency intent, on folded text (lower case, no accents): every
kind of danger of the intent's definition, each as it is written in a hurry, by its signs or by
someone who sees it. `nlu.emergency` searches them in the sentences not told calmly.

Written from the definition and from probe sets written apart (`tests/data/README.md`); each
kind has its examples, and everyday phrases that share its words, in
`tests/unit/test_nlu_emergency*.py`.
"""

from __future__ import annotations

import re

# Not knowing where one is, or where home is...
_LOST = (
    r"\b(sais|sait|savais|savait|se souvient|j?s(ais|e|ai)) (plus|pas|pa|plu) ou (je suis|elle "
    r"est|il est|j'?habite|elle habite|il habite|j?sui|chui|jsuis)|\b(don'?t|doesn'?t|does not|"
    r"do not|can'?t) (know|remember|find) where (i am|she is|he is|i live|she lives|he lives)"
)
# ...out of doors: a place, the dark, the cold.
_OUTSIDE = (
    r"nuit|noir|froid|froi|dehors|rue|route|trottoir|parc|foret|gare|parking|neige|pluie|dark|"
    r"cold|night|outside|street|road|park|woods|station|snow|rain|wandering|erre|perdue?|lost|"
    r"canal|riviere|river|banc|bench"
)

DANGER_PATTERNS = [
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
    r"he'?s|she'?s|has|just|monsieur|madame|homme|dame|personne|man|woman|lady|someone|"
    r"somebody)[a-z' ]{0,15}(effondr|ecroul|collapsed)|"
    r"\b(slid|slumped|sliding|slumping) (off|down|out of) (the|his|her|my) (settee|sofa|chair|"
    r"couch|armchair|bed)|\beyes open but (nobody|no one) (home|there)|\bs'?est affaisse|"
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
    r"\b(levres|lips)[a-z ]{0,12}(bleu|blue)|turning blue|(gone|going) blue|"
    r"\b(devient|devenu|devenue|turning|going|gone|goes) (tout |toute |all )?(violet|violette|"
    r"bleu|bleue|purple)|"
    r"\b(gone|went|going) (rigid|stiff)\b",
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
    r"\b(mots|phrases|paroles)[a-z' ]{0,25}(aucun sens|pas de sens|sans queue ni tete|"
    r"incomprehensibles?)|\b(words|sentences|talking)[a-z' ]{0,20}(no sense|nonsense|jumbled|"
    r"garbled)|\bgibberish\b",
    # Seizures, low sugar.
    r"convuls|crise d'?epilepsie|\bseizure|having a fit|\bhypo\b",
    # Poisoning, fumes.
    r"\b(avale|bu|pris|swallowed|drank|drunk|taken|took)\b[a-z' ]{0,40}"
    r"(javel|bleach|produit (menager|vaisselle|ménager)|poison|detergent|washing up liquid|"
    r"white spirit|antigel|antifreeze)",
    # ("call my doctor so he prescribes me sleeping tablets" is no overdose: words, not parts.)
    r"\b(toute? (la|sa|ma) boite|trop de|tous (ses|mes) |too many|2 many|"
    r"whole (box|packet|bottle)|all (his|her|my) |deux fois|twice)[a-z' ]{0,30}(pilules|"
    r"cachets|comprimes|medicaments|somniferes|pills|tablets|medicine|sleeping)",
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
    # Violence and a break-in now: a door forced, a threat, a weapon, blows.
    r"\b(essaie|essaye|essaient|essayent|tente|tentent|en train) (de )?"
    r"(forcer|defoncer|casser) (ma|la|notre) (porte|fenetre|serrure)|"
    r"\b(forcing|kicking in|breaking down|trying to force) (my|the|our) (door|window|lock)",
    r"\b(smashed|broke|broken|cassee?|casse|brise|brisee?)[a-z' ]{0,30}(window|door|fenetre|"
    r"porte)[a-z', ]{0,30}(is |est |sont |are )?(inside|in the house|dedans|a l'?interieur|"
    r"dans la maison|chez moi)",
    r"\b(menace|menacent|threaten(s|ing|ed)?)\b[a-z', ]{0,50}(couteau|arme|fusil|knife|gun|"
    r"weapon|tuer|kill|frapper|hit|hurt|faire du mal|taper)",
    # (Not "il me bat aux cartes", "beating me at chess", "ça m'a tapé dans l'œil".)
    r"\b(me|m'?a|nous|l'?a) (frappe|frappee|etrangle|etranglee)\b|"
    r"\b(hitting|punching|strangling|choking) (me|her|him|us)\b|"
    r"\b(hit|beat|punched|attacked|agresse|agressee|attaque|attaquee) (me|her|him)? ?"
    r"(and|et) (he'?s|she'?s|il est|elle est|is) still (here|there)",
    r"\b(un inconnu|une inconnue|un intrus|a stranger|an intruder|(someone|somebody) i don'?t "
    r"know|quelqu'?un que je (ne )?connais pas|(there'?s|il y a) (someone|somebody|quelqu'?un))"
    r"[a-z' ]{0,10} (dans|inside|in) (ma|la|my|the) (maison|chambre|house|bedroom|flat|"
    r"appartement|cuisine|kitchen)\b",
    # Despair: a person who speaks of ending her life.
    # (Not "en finir avec la paperasse", "vivre seule", "end it with the agency".)
    r"\b(en finir|me suicider|suicide|me tuer|kill myself|end it all|end (it|things) "
    r"(tonight|now|today)|end my life|mettre fin a (mes jours|ma vie)|take my (own )?life)\b"
    r"(?! avec| with)",
    r"\b((veux|voudrais) (plus|pas)|(ai|j'?ai) (plus|pas) envie de|plus envie de) (vivre|"
    r"continuer)\b(?! (seule?s?|ici|la|comme|dans|a|en|avec|chez|loin|pres))|\benvie de mourir|"
    r"\b(don'?t|do not|no longer) want to live\b(?! (alone|here|there|in|on|with|like|by|"
    r"near|far))|\bwant to die\b|\bbetter off dead\b",
    # Lost outside, cold or confused: a person who does not know where she is or how to get home.
    # (Only out of doors: "je sais plus où je suis" after a button is someone lost in the bot.)
    rf"(?:{_LOST})[a-z' ,]{{0,80}}\b(?:{_OUTSIDE})\b|"
    rf"\b(?:{_OUTSIDE})\b[a-z' ,]{{0,80}}(?:{_LOST})|"
    r"\b(sait|sais|savait) plus rentrer|\b(can'?t|cannot) find (my|her|his) way (home|back)",
    r"\b(alzheimer|dementia|demence|desoriente|confus|confused)[a-z' ,]{0,60}(fugue|disparu|"
    r"disparue|introuvable|wandered off|gone missing|is missing|(toujours )?pas (re)?rentree?|"
    r"not (come )?back|hasn'?t come (back|home)|walked out|a quitte (la maison|l'? ?ehpad|"
    r"la maison de retraite|l'? ?hopital)|left the (home|care home|hospital)|(partie?|sortie?) "
    r"seule?)",
    r"\b(suis|est|is|am|i'?m|she'?s|he'?s|s'?est) (perdu|perdue|lost)[a-z' ,]{0,40}(froid|nuit|"
    r"neige|noir|cold|dark|snow|freezing)",
    # Cold and heat that endanger: hypothermia, shivering for hours, heat stroke.
    r"\b(gele|gelee|frozen|freezing|glace|glacee)[a-z' ,]{0,40}(sens plus|feel nothing|"
    r"can'?t feel|sommeil|sleepy|drowsy|engourdi|numb)|\bhypotherm|\bgrelott[a-z]*[a-z' ,]{0,40}"
    r"(depuis|dehors|for hours|outside)|\bshivering[a-z' ,]{0,40}(for hours|outside|can'?t stop)",
    r"\b(ne sens plus|sens plus|can'?t feel) (mes|ses|my|her|his) (doigts|mains|pieds|orteils|"
    r"fingers|hands|feet|toes)\b[a-z' ,]{0,40}(froid|tremble|cold|shiver|gel|sommeil)|"
    r"\b(froid|cold|chaudiere|chauffage|heating|boiler|gel)[a-z' ,]{0,80}(ne sens plus|"
    r"can'?t feel) (mes|ses|my|her|his) (doigts|mains|pieds|fingers|hands|feet)",
    r"\bcoup de chaleur|\bheat ?stroke|\bhypertherm",
    # Water on electricity.
    r"\b(etincelles?|sparks?|sparking)\b[a-z' ,]{0,60}\b(eau|water)\b|\b(eau|water)[a-z' ,]{0,60}"
    r"(electri|prise|socket|plug|light fitting|lampe|tableau)[a-z' ,]{0,40}"
    r"(etincelles?|sparks?|sparking|crepite|crackling)",
    # Heard from afar: a crash then silence, a call for help then nothing.
    r"\b(bruit|boum|fracas|crash|bang|thud|cri|scream|shout)[a-z' ,]{0,40}(puis|et|then|and "
    r"then) (plus )?(rien|nothing|silence)",
    r"\b(ne decroche|decroche) (plus|pas)[a-z' ,]{0,40}(tombe|aide|malaise|chute|secours)|"
    r"\b(tombe|aide|malaise|chute|secours)[a-z'»« ,]{0,40}(ne )?decroche (plus|pas)",
    # Stuck where one fell: on the stairs, in the bath, unable to move.
    r"\b(coince|coincee|bloque|bloquee|stuck|trapped)\b[a-z' ]{0,25}(les marches|l'?escalier|"
    r"mi-hauteur|halfway (up|down)|the stairs|the steps|la baignoire|the bath|dedans|in it|"
    r"depuis (midi|ce matin|hier|des heures|\d+ ?h))|\bni monter ni descendre\b|"
    r"\b(peux|peut|arrive|pouvons) (plus|pas|pa) (a )?bouger\b(?! (ce|cette|les|le|la|mon|ma|"
    r"mes|un|une|des|seule?|sans|d'?ici|de (chez|la|ma))\b)|\b(i|she|he|mum|dad|mom) can'?t "
    r"move\b(?! (house|home|the|my|her|his|it|them|this|that|furniture|boxes|anything|out|in|"
    r"to|a|an|on|without|much|far|quickly|fast|very|around|about)\b)",
    r"\b(toute la nuit|all night)[a-z' ,]{0,40}(sans pouvoir|sans boire|without (being able|a "
    r"drink|water|food)|unable to)",
    # Help asked while the emergency services are on their way or on the line: someone now.
    # ("15 jours je n'y arrive plus" is no call: the French numbers count with their article.)
    r"\b(samu|pompiers|ambulance|ambulanciers|paramedics|secours|le 15|le 18|112|999|911)\b"
    r"[a-z' ,]{0,40}(au telephone|on the phone|on speaker|en ligne|on the line|en route|"
    r"arrivent|arrive|coming|on (their|its|the) way|veulent que|want (me|someone|us))|"
    r"\b(j'?ai appele|on a appele|appele|called|rang|phoned|i'?ve called|we'?ve called) (le |les |"
    r"the |an? )?(15|18|112|999|911|samu|pompiers|secours|ambulance)\b",
    r"\b(massage cardiaque|compressions|\bcpr\b|bouche[- ]a[- ]bouche|position laterale|"
    r"recovery position|defibrillat)",
    # Crushed or trapped under, fallen off a ladder or down the stairs with blood.
    r"\b(came down|fell|fallen|tombee?|tombe) (on|sur) (me|him|her|moi|lui|elle)\b|"
    r"\b(can'?t|cannot) (shift|lift|move|get) it off (me|my|his|her)|\bcoincee? sous\b|"
    r"\b(trapped|stuck|pinned) under",
    r"\b(fallen|fell|come|came) off (his|her|the|a|my) (ladder|roof|steps)|"
    r"\btombee? (de|du|d'?une|de l'?) ?(echelle|toit|escabeau)",
    r"\b(fell|fallen|tombee?)\b[a-z' ]{0,20}(stairs|escalier|marches)\b[a-z' ,]{0,40}(blood|"
    r"sang|can'?t|bouge|move|unconscious|answer|repond)",
    # Typed in a hurry or by sound: "cnt brth", "jsé pa ou jsui", "il veu rentré jé peur".
    r"\b(cnt|cant|can'?t|cannot) (brth|breth|breeth|brethe|breathe)\b",
    r"\b(j?s(ais|e|ai)|je sais) (pa|pas|plu|plus) ou (j?sui|chui|jsuis)\b",
    r"\b(veu[xt]?|veulent|trying to|wants to) (rentre|rentrer|entrer|get in|come in)[a-z' ,]{0,30}"
    r"(peur|scared|afraid|frightened)|\b(peur|scared|afraid|terrified)[a-z' ,]{0,30}"
    r"(veu[xt]? (rentre|rentrer|entrer)|trying to get in)",
    r"\b(wanna|want to) (b|be) here (no more|anymore|any more)|\b(got|have|ai) (the|my|mes|les) "
    r"(pills|cachets|medocs) (ready|prets)",
    # Someone found cold, shaking and confused after a night out of doors.
    r"\b(been|was|stayed|lain|lying|restee?|passee?|allongee?|reste) (out|outside|dehors)"
    r"[a-z' ]{0,30}(all night|toute la nuit)|\b(glacee?|gelee?|ice cold|frozen)\b"
    r"[a-z' ,]{0,40}(raide|marmonne|mumbl|confus|reveille|wake|respond)|\b(shaking|tremble|"
    r"grelotte)[a-z' ,]{0,40}(not make sense|pas de sens|confus|marmonne|mumbl)",
    r"\bfrom (her|his|my|the) ([a-z]+ )?floor\b|\b(grey|gray|gris|grise) and (muddled|confused|"
    r"cold|sweaty|clammy)|\b(gris|grise) et (confus|confuse|froid|froide|moite)",
    # Poisoning by household products.
    r"\b(mange|avale|bu|eaten|ate|swallowed|drank|drunk)\b[a-z' ]{0,40}(lave-?vaisselle|"
    r"dishwasher|lessive|washing (pods|tablets|capsules|powder)|detartrant|descaler|"
    r"piles? bouton|button batter)",
    # A high fever with shivering or confusion (sepsis), a machine that breathes stopped.
    r"\b(39[.,][5-9]|4[0-2]([.,]\d)?) ?(degres|degrees|°|de fievre|fever)?[^.!?]{0,80}"
    r"(grelotte|shiver|shaking|confus|sait plus|doesn'?t know|don'?t know|delire|deliri|"
    r"somnolent|drowsy|reconnait (plus|pas)|recogni[sz]e)|"
    r"\b(fievre|fever)[^.!?]{0,60}(confus|delire|sait plus|doesn'?t know|not making sense)",
    r"\b(machine|appareil|concentrateur|ventilation|respirateur|oxygene|oxygen|ventilator|cpap|"
    r"concentrator)[^.!?]{0,40}(en panne|s'?est arrete|arrete|stopped|not working|won'?t work|"
    r"coupure|power cut|alarme|alarm)|\b(levres|lips)[a-z ]{0,12}(gris|grises|grey|gray)",
    # Bleeding from a wound, a line pulled out.
    r"\b(gicle|spurting|pissing blood)\b|\b(blood|sang) (all over|partout|plein)|"
    r"\b(j'?appuie|pressing|applying pressure)[a-z' ]{0,20}(dessus|avec|on it|on the wound|"
    r"with a (towel|tea towel|jacket))|\b(tronconneuse|chainsaw|scie|hache|axe)\b[^.!?]{0,40}"
    r"(ripe|slipped|coupe|cut|entaille|cuisse|jambe|thigh|leg)|\b(perfusion|drip|catheter|"
    r"picc)[^.!?]{0,40}(arrache|come (loose|out)|pulled out|saigne|bleed|blood|sang)",
    # About to jump.
    r"\b(va|veut|menace de) se (jeter|tuer|pendre|suicider)|\bsur le rebord (de la fenetre|"
    r"du balcon|du pont)|\b(going|threatening|wants) to jump|\bon the (ledge|edge of the "
    r"(bridge|roof|balcony))",
    # Told without a subject, as in a hurry: "fell down the cellar steps, battery 2%".
    r"^\W*(fell|fallen|tombee?|tombe) (down|off|dans|de|du|sur)\b",
    # Days without food, a medicine taken many times over.
    r"\b(rien|pas) mange (depuis|de(puis)?) (\d+|deux|trois|quatre|cinq|plusieurs) jours|"
    r"\b(not|hasn'?t|haven'?t|has not|have not) eaten (for|in) (\d+|two|three|four|five|"
    r"several|days)",
    r"\b(\d+|deux|trois|quatre|cinq|dix|two|three|four|five|ten) (fois|times) (la|the) dose|"
    r"\b(double|triple) (la )?dose|\boverdos|\bsurdos|\b(trompe|wrong)[a-z' ]{0,30}"
    r"(flacon|bottle)[a-z' ,]{0,40}(morphine|somnifere|sleeping|opio|insulin)",
    # An alarm that sounds inside, smoke that spreads, someone who got in.
    r"\b(alarme incendie|detecteur de fumee|smoke alarm|fire alarm|alarme)[a-z' ]{0,30}(sonne|"
    r"hurle|screaming|going off|is ringing|beeping)[a-z' ,]{0,60}(personne|nobody|no one|"
    r"n'?ouvre|ne repond|fumee|smoke)|\b(filling|fills|filled|rempli[a-z]*)[a-z ]{0,10}"
    r"(with|up with|de) (smoke|fumee)|"
    r"\b(sonne|going off|ringing|screaming|beeping)\b[a-z' ,]{0,40}"
    r"(a l'?interieur|inside)[a-z' ,]{0,40}(personne|nobody|no one|no answer|pas de reponse)",
    r"\b(qqn|quelqu'?un|quelqu un|someone|somebody|des gens|deux hommes|two men|a man|un homme)"
    r"('s| est| sont| is| are| has| have)? ?(entres?|rentres?|got in|broken in|broke in|"
    r"pushed (their|his|her) way in|forced (their|his|her) way in|entres de force)"
    r"(?! (pour|to|for|avec|with))\b|\b(s'?est|se sont) introduits? chez",
    r"\b(hear|entends|entend)[a-z' ]{0,20}(them|someone|somebody|quelqu'?un|des pas|footsteps|"
    r"des bruits)[a-z' ]{0,30}(downstairs|en bas|inside|dedans|dans la maison|in the house)",
    r"\b(shoved|pushed|thrown|threw|bouscule|poussee?) (her|him|me|la|le|l'?a|m'?a)[a-z' ]{0,12}"
    r"(into|onto|against|down|to the (floor|ground)|par terre|contre)",
    r"\b(so much|tant de|tellement de) (blood|sang)\b",
    # Sight lost at once, the worst headache.
    r"\b(ne )?vois plus (rien )?(de|d'?un|avec) (l'?|mon |un )?(oeil|œil)|\b(lost|no) "
    r"(sight|vision) in (my|her|his|one)|\bsudden(ly)? (blind|can'?t see)|"
    r"\bworst headache|\bpire mal de (tete|crane)",
    # A severe allergy: a throat or tongue that swells, a face after a sting.
    r"\b(gorge|langue|throat|tongue)[a-z' ]{0,20}(gonfle|enfle|swell|swollen|swelling|closing|"
    r"se ferme|serre)|\banaphyla|\b(oedeme|œdeme) de quincke|\bepi-?pen\b|"
    r"\b(piqure|pique|piquee|sting|stung|allergi[a-z]*)\b[a-z' ,]{0,40}(levres|visage|lips|"
    r"face|yeux|eyes)[a-z' ]{0,15}(gonfl|enfl|swell|swollen)",
    # Low sugar told by its signs or its figure.
    r"\b(fais|fait|faire|having|en) (une |an? )?hypo(glyc[a-z]*)?\b|"
    r"\b(glycemie|glucose|blood sugar|sucre|sugar)[a-z' ,]{0,25}(tres bas|trop bas|"
    r"very low|too low|dropping|chute|[0-2][.,][0-9]\b)|\b(lecteur|glycemie|dextro|"
    r"glucometre)[a-z' ,]{0,25}\b0[.,][0-5][0-9]? ?g\b",
    # An alarm raised in words alone: "URGENT come now".
    r"\burgent\b[a-z' ,!]{0,15}\b(come|venez|viens)\b[a-z ]{0,6}\b(now|vite|quick|quickly|"
    r"right now|tout de suite|immediatement|maintenant)\b",
]
DANGER_NOW = re.compile("|".join(f"(?:{p})" for p in DANGER_PATTERNS))
