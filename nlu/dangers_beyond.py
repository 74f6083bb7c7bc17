"""Danger patterns beyond the classic kinds of `nlu.dangers`: violence and threats, despair, a
person lost or frozen, heat, water on electricity, a crash heard from afar, someone stuck or
crushed, help asked while the emergency services come, household poisons, fever with
confusion, a breathing machine stopped, a wound that spurts, a severe allergy, low sugar.
Found by the probe sets written apart (`tests/data/README.md`); on folded text, as there.
"""

from __future__ import annotations

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

BEYOND_THE_DEFINITION = [
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
    r"\b(crowbar|pied[- ]de[- ]biche)\b[a-z' ,]{0,40}(door|window|porte|fenetre|lock|"
    r"serrure|trying|essaie)|\b(door|window|porte|fenetre)[a-z' ,]{0,40}(crowbar|pied[- ]de[- ]"
    r"biche)|\b(trying|tries|tried|essaie|essaye|essayait) (the|my|our|ma|la|notre) (back |"
    r"front |kitchen )?(door|porte|door handle|poignee|windows?|fenetres?)\b",
    # Wedged where one fell; spots that do not fade under a glass; a high fever with confusion.
    r"\b(wedged|stuck|trapped|jammed|coincee?|bloquee?) (between|entre) (the|le|la|l'? ?|my|mon|"
    r"ma|son|sa) ?(bed|lit|wall|mur|toilet|toilettes|wc|bath|baignoire|radiator|radiateur|"
    r"sofa|canape|armoire|wardrobe)",
    r"\b(spots|rash|taches|boutons|plaques)\b[a-z' ,]{0,40}\b(glass|verre)\b|"
    r"\b(purple|violet|violettes|violacees) (spots|rash|taches|marbrures)|\bmarbrures?\b|"
    r"\b(very high|tres forte|tres haute|grosse|high) (temperature|fever|fievre|temperature)\b"
    r"[^.!?]{0,60}\b(confus|delire|deliri|not making sense|sait plus|drowsy|somnolent|won'?t "
    r"wake|ne se reveille)",
    # Found on the floor (told without "the"), bitten and bleeding, something burning, a cry
    # for help heard through a locked door.
    r"\bfound (lying |sitting |collapsed )?on (the )?(floor|ground)\b|"
    r"\b(bite|bit|bitten|mordu|mordue|morsure)\b[a-z' ,]{0,40}\b(blood|sang|saign|bleed)",
    r"\b(something|quelque chose)('?s| is| qui)? (burning|brule|crame)\b|\b(tv|tele|television|"
    r"socket|prise|plug|heater|radiateur|fridge|frigo|dryer|seche-linge|toaster|grille-pain)\b"
    r"[a-z' ]{0,12}\b(on fire|smoking|is smoking|burning|fume|brule|prend feu)\b|"
    r"\b(burning|smoke|smoking|fumee)\b[a-z' ]{0,20}\b(from|coming from|sort (de|du)) (the |la "
    r"|le )?(tv|tele|socket|prise|plug|heater|radiateur|fridge|frigo|dryer|toaster)\b",
    r"\b(is|are|was|been|keeps?|still)\b[a-z' ]{0,6}\b(screaming|shouting|crying|calling|yelling)"
    r" (out )?(for )?help\b|\b(crie|hurle|appelle|criait|hurlait) (a l'? ?aide|au secours)\b",
    # Robbed with violence, bleeding from the head or face.
    r"\b(agresse|agressee|attaque|attaquee|frappe|frappee|bouscule|bousculee|mugged|attacked|"
    r"assaulted|beaten up|punched|knocked down)\b[a-z' ]{0,40}\b(pour (lui |me )?(voler|"
    r"prendre)|arrache|son sac|mon sac|her bag|my bag|his wallet|her purse|my purse|steal|stole)"
    r"|\b(bleeding|saigne|saignait|en sang|covered in blood)\b[a-z' ]{0,20}\b(head|face|"
    r"visage|tete|front|crane|forehead|ear|oreille)\b",
    # Found on the floor; an alarm pendant that went off; a house closed for days.
    r"\b(found|trouve|trouvee|retrouve|retrouvee) (him|her|mrs|mr|madame|monsieur|mme|m|"
    r"the (old )?(man|lady|woman|gentleman)|my (mum|mother|dad|father|husband|wife|neighbour|"
    r"gran|grandma|grandad|aunt|uncle)|ma (mere|femme|voisine|tante|grand-mere)|mon (pere|"
    r"mari|voisin|oncle|grand-pere)|papa|maman|mamie|papi|la dame|le monsieur)\b[a-z' .]{0,30}"
    r"\b(on the floor|par terre|au sol|a terre|on the ground)\b|\b(la|le|l'?) ?(ai )?"
    r"(trouve|trouvee|retrouve|retrouvee) (assise?|allongee?|couchee?|etendue?)? ?(par terre|"
    r"au sol|a terre)\b|\b(bracelet|pendant|medaillon|teleassistance|care alarm|"
    r"life ?line)\b[a-z' ]{0,20}\b(a sonne|sonne|went off|going off|has gone off|alarm went)"
    r"|\b(volets|rideaux|curtains|blinds|shutters)\b[a-z' ]{0,20}\b(fermes|shut|closed|drawn)"
    r"\b[^.!?]{0,80}\b(repond|answer|pas vu|not seen|decroche|ouvre pas|milk)",
    # A knife in a quarrel, someone hiding from a person in the house.
    r"\b(has|got|with|avec|a pris|a sorti|holding|tient) (a |un )?(knife|couteau|hache|axe|"
    r"gun|fusil|arme)\b[a-z' ,]{0,40}\b(shout|crie|hurle|menace|threat|hiding|cache|scared|"
    r"peur)|\b(hiding|cachee?|enfermee?|locked (myself|herself|himself)) (in|dans) (her|his|my|"
    r"la|sa|ma|the) (room|chambre|bathroom|salle de bain|toilet|toilettes)\b",
    # Threats at the door: "he's going to hurt me if I don't give him money".
    r"\b(he|hes|he'?s|she|shes|she'?s|they|they'?re|theyre|il|elle|ils|someone|somebody|man|"
    r"guy|bloke|type|homme|mec)\b[a-z' ]{0,20}\b(going to|gonna|will|threaten(s|ing|ed)? to) "
    r"(hurt|hit|beat|stab|attack|punch|smash) (me|us|her|him)\b|\b(il|elle|ils|on|type|"
    r"homme|mec)\b[a-z' ]{0,20}\b(va|vont|veut|veulent|menace de) me (frapper|taper|"
    r"tabasser|faire du mal|poignarder|planter|cogner)\b|\b(he|she|they)'?ll (hurt|hit|beat|"
    r"stab|attack|punch|smash) (me|us|her|him)\b",
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
    r"\b(fugue|disparu|disparue|introuvable|wandered off|gone missing|is missing)\b"
    r"[a-z0-9' ,]{0,40}\b(alzheimer|dementia|demence|desoriente|confuse?|confused)|"
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
    r"\b(entend|entends|entendu|entendons|hear|heard|hears|hearing)[a-z' ]{0,30}(gemi|"
    r"moan|groan|appeler (a l'?aide|au secours)|crier (a l'?aide|au secours)|(calling|shouting|"
    r"crying|screaming|yelling) (out )?(for )?help)",
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
    r"\b(veu[xt]?|veulent|va|vont|trying to|wants to|going to) (rentre|rentrer|entrer|get in|"
    r"come in|break in)[a-z' ,]{0,30}"
    r"(peur|scared|afraid|frightened)|\b(peur|scared|afraid|terrified)[a-z' ,]{0,30}"
    r"(veu[xt]? (rentre|rentrer|entrer)|trying to get in)",
    r"\b(wanna|want to) (b|be) here (no more|anymore|any more)|\b(got|have|ai) (the|my|mes|les) "
    r"(pills|cachets|medocs) (ready|prets)",
    # Someone found cold, shaking and confused after a night out of doors.
    r"\b(been|was|stayed|lain|lying|restee?|passee?|allongee?|reste) (out|outside|dehors)"
    r"[a-z' ]{0,30}(all night|toute la nuit)|\b(glacee?|gelee?|ice cold|frozen)\b"
    r"[a-z' ,]{0,40}(raide|marmonne|mumbl|confus|reveille|wake|respond|sans queue ni tete|"
    r"incoheren|delire|not making sense|makes no sense|nonsense)|\b(shaking|tremble|"
    r"grelotte)[a-z' ,]{0,40}(not make sense|pas de sens|confus|marmonne|mumbl)",
    r"\bfrom (her|his|my|the) ([a-z]+ )?floor\b|\b(grey|gray|gris|grise) and (muddled|confused|"
    r"cold|sweaty|clammy)|\b(gris|grise) et (confus|confuse|froid|froide|moite)",
    # Poisoning by household products.
    r"\b(mange|avale|bu|eaten|ate|swallowed|drank|drunk|bit|bitten|chewed|chewing|licked|"
    r"sucked|got into|mordu|croque|machouille|leche)\b[a-z' ]{0,40}(lave-?vaisselle|"
    r"dishwasher|lessive|washing (pods|tablets|capsules|powder)|laundry (pods?|capsules?|"
    r"tablets?|liquid)|detartrant|descaler|"
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
    # A carbon monoxide alarm that sounds (not one that chirps for its battery).
    r"\b((carbon monoxide|co|monoxyde( de carbone)?) (alarm|detector|detecteur)|(detecteur|"
    r"alarme) (de |d'? ?)?(co|monoxyde)( de carbone)?)\b[a-z' ,]{0,20}\b(going off|gone off|"
    r"went off|sounding|ringing|screaming|sonne|hurle|s'? ?est declenche)",
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
    # Water rising in the house: "l'eau monte dans la maison, mon mari est en fauteuil".
    r"\b(l'? ?eau|water|flood ?water)\b[a-z' ]{0,10}\b(monte|montait|rising|coming up|comes "
    r"up|pouring in)\b[a-z' ]{0,12}\b(dans (la maison|le salon|les pieces|l'? ?appartement)|"
    r"in the (house|lounge|flat|living room)|into the (house|flat)|vite|fast|quickly)",
    # Food that swells the lips: a severe allergy told by its cause.
    r"\b(peanuts?|cacahuetes?|arachides?|nuts|noix|shellfish|crustaces|fruits de mer|"
    r"prawns?|crevettes?)\b[a-z' ,]{0,40}\b(swell|gonfl|enfl|wheez|siffl|hives|urticaire|"
    r"can'?t breathe|respire mal)",
    # An alarm raised in words alone: "URGENT come now".
    r"\burgent\b[a-z' ,!]{0,15}\b(come|venez|viens)\b[a-z ]{0,6}\b(now|vite|quick|quickly|"
    r"right now|tout de suite|immediatement|maintenant)\b",
]
