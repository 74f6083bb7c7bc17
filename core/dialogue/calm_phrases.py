"""Phrases that use the words of a danger and tell none: a fire that is a heater, a drill or
burnt toast; an emergency supposed, asked about or prevented; everyday idioms ("tombée des
nues", "dying for a coffee"). `danger_words.calm_mentions_blanked` blanks them before the nets
read a message, so the rest of it keeps its words of danger.
"""

from __future__ import annotations

import re

# An alarm that sounds, or someone who feels ill: "the CO alarm is going off, maybe the
# battery? we all feel dizzy" is a danger, whatever battery it names.
_NOT_SOUNDING = (
    r"(?![^.!?]{0,60}\b(going off|gone off|went off|sounding|sonne|hurle|declenche|headaches?|"
    r"mal a la tete|dizzy|vertiges?|nause|vomi))"
)
# Fire words that name no fire: safety equipment and drills, a fire lit on purpose.
HARMLESS_FIRE = re.compile(
    r"\b(fire|smoke) ?(drills?|alarms?(?: [a-z']+){0,5} (battery|batteries|tests?|testing|beeps?|"
    r"beeping|chirps?|chirping)|"
    r"extinguishers?|exits?|doors?|escape|wood|place|guard|safety|insurance|inspections?|"
    r"station|practice|training|risk assessment)\b|"
    r"\b(fit|fitted|fitting|install|installed|poser|installer) (a |an |un |une |the |my )?"
    r"(new )?((smoke|fire) ?alarm|detecteur( de fumee)?)|"
    r"\b(light|lit|lighting|make|making|made|start|build|building|laying|lay) (a |the |my )?"
    r"(wood |log |open |coal )?fire\b|"
    r"\b(logs?|wood|coal|kindling) (for|on) (my|the|our) (open |log |wood |coal )?fire\b|"
    r"\b(alarmes?|detecteurs?|assurances?|portes?|issues?|exercices?|extincteurs?|consignes?|"
    r"risques?) (d'|de )?(l')?(anti-?|coupe-?)?(incendie|feu)\b|"
    r"\b(allumer|allume|faire|fait) (un |le |du )?feu\b|"
    # A smoke or CO alarm's battery, a CO alarm to change or to fit ("le détecteur de monoxyde est
    # périmé"), unless it sounds or someone feels ill (the guard follows each first word, so that
    # it is read only where such a phrase begins).
    r"\b(battery|batteries|piles?)\b" + _NOT_SOUNDING + r" (in|of|for|on|de|du|d'un) (my |the |"
    r"mon |le )?(fire|smoke|co|carbon monoxide|detecteur de (fumee|monoxyde)) ?(alarm|detector)?|"
    r"\b(carbon monoxide|co|monoxyde|detecteur)\b" + _NOT_SOUNDING + r"(( de carbone)? ?(alarm|"
    r"detector|detecteur)?|(de )?(monoxyde|co)( de carbone)?)\b[a-z' ,?.]{0,30}\b(battery|"
    r"batteries|pile|chirps?|chirping|beeps? every|out of date|expired|perime|a changer)\b|"
    r"\b(change|changer|replace|remplacer|new|nouveau|fit|install|installer|poser)\b"
    + _NOT_SOUNDING
    + r"[a-z' ]{0,12}\b(carbon monoxide|co|monoxyde( de carbone)?) ?(alarm|detector|detecteur)|"
    # Leaves burnt in the garden, a barbecue next door and its smell.
    r"\bbruler (les|des|mes|ses) (feuilles|branches|dechets|herbes|mauvaises herbes)\b|"
    r"\b(sent|smells?|smelling) (le brule|of burning|of smoke)\b(?=[^.!?]{0,60}\b(barbecue|bbq|"
    r"bonfire|feu de jardin|feuilles))|\bmettrai[st]? le feu\b|"
    # Food burnt in the pan or the oven, and its smell.
    r"\b(gateau|tarte|roti|poulet|riz|pain|toasts?|plat|gratin|soupe|cake|toast|roast|"
    r"chicken|rice|bread|dinner|pie|biscuits|pizza|pan of [a-z]+)\b[a-z' ]{0,12}\b(a |ont |"
    r"is |was |got |has )?(brule|brules|brulee|crame|carbonise|burnt|burned|charred)\b|"
    r"\b(burnt|burned|brule|fait bruler|cramé|crame) (my |the |le |la |les |mon |ma |mes )?"
    r"(gateau|tarte|roti|riz|toasts?|plat|cake|toast|roast|rice|dinner|pie|biscuits|pizza)\b|"
    r"\bsent le crame\b|\bsmells? of burnt (toast|food)\b"
)

# "what do I do in an emergency?", "en cas d'urgence": an emergency supposed, not told.
SUPPOSED_EMERGENCY = re.compile(
    r"\b(in|for) (an? |case of |the event of (an? )?)emergency\b|\bfor emergencies\b|"
    r"\ben cas d'? ?urgence\b|\bpour les urgences\b|\bemergency (number|contact|button)s?\b|"
    r"\bnumeros? d'? ?urgence\b|"
    r"\bif (there'?s|there is|it'?s|it is|i have|we have)( ever)? an? emergency\b|"
    r"\b(signaler|report|declarer) (une |an )?(urgence|emergency)\b|"
    r"\ben cas de (chute|malaise|probleme|souci|besoin)\b|\bin case of (an? )?(fall|problem)\b|"
    r"\b(ou|or) (il faut |should i |do i |faut-il )?(appeler|call|ring|dial) (le |the )?"
    r"(15|18|112|999|911|samu|pompiers)\b|"
    r"\bs'?il y a (une )?urgence\b|\bsi (un jour )?(c'?est|il y a|j'?ai) une urgence\b|"
    r"\b(or|ou) (j'? ?appelle|appeler|dial|call|ring) (le )?(15|18|112|999|911)\b|"
    r"\b(should|shall|do) (i|we) (call|ring|dial)\b|\b(dois-je|je dois|faut-il|faut il) appeler\b|"
    # A fall feared, not happened: "j'ai peur de tomber dans la douche", "scared of falling".
    r"\b(peur|risque|crainte) de (tomber|chuter)\b|"
    r"\b(afraid|scared|frightened|worried|terrified) (of falling|i'?ll fall|she'?ll fall|"
    r"he'?ll fall|of a fall)\b|\bin case (i|she|he|mum|dad) (falls?|has a fall)\b|"
    r"\b(i|he|she) gets? (chest pains?|breathless|out of breath|short of breath)\b|"
    r"\b(chest pains?|(douleurs?|mal) (a|dans) la poitrine) (when|quand|des que|lorsque)\b|"
    r"\bfire (brigade|engines?) (came|come|were|was|went|had to)\b|"
    r"\ben cas d'? ?(incendie|feu|fuite|avc|malaise|accident|chute)\b|"
    r"\bin (case|the event) of (an? )?(fire|gas leak|stroke|fall|accident)\b|"
    # Questions about the service: "can this bot call an ambulance if I fall?" (to the clause's
    # end; "pouvez-vous appeler les pompiers" asked of a person stays a call for help).
    r"\b(can|could|will|does|would) (this|the|your) (bot|app|service|system|robot)\b[^?.!,;]*|"
    r"\b(le bot|le robot|l'? ?appli(cation)?|le service|le systeme|votre (bot|service|appli))"
    r"(-il|-elle)? (peut|pourrait|sait|va)(-il|-elle)?\b[^?.!,;]*|"
    # A question asked in general: "que faire si on sent le gaz ?", "what are the signs of a
    # stroke?", "si ma mère ne répond pas un jour..." (up to the end of that sentence).
    r"\b(que faire|quoi faire|what (to do|should (i|we|you) do|do (i|we|you) do)|"
    r"(qu'? ?est-ce qu'? ?on|qu'? ?est-ce que je|qu'? ?est-ce qu'? ?il|que|comment) (doit|dois|"
    r"peut|peux|faut-il|faut il|faut)? ?faire) (si|if|when|quand|en cas)\b[^?.!]*|"
    # Prevented, not happened: "so I don't double dose by mistake", "pour ne pas tomber".
    r"\b(so (that )?(i|she|he|we|they|mum|dad) (don'?t|doesn'?t|won'?t|never)|to avoid|"
    r"(don'?t|do not|doesn'?t|does not) want (a|an|any|another)|(to|so as to) prevent|"
    r"pour (ne (pas|plus)|eviter( de| qu'?)?|pas qu'?))\b[^?.!,;]*|"
    # Breathless on a climb, a known trouble: "du mal à respirer quand je monte la côte".
    r"\b(du mal a respirer|essouffle(e)?|breathless|out of breath|short of breath) (quand|des "
    r"que|lorsque|en montant|when|on (the )?(stairs|hills?)|going up|climbing)\b|"
    r"\b(what'?s|what is|quel est|c'?est quoi) (the|le) (number|numero)\b[^?.!]*|"
    r"\b(signs?|symptoms?|signes?|symptomes?) (of|d'? ?un|d'? ?une|de) (an? )?"
    r"(stroke|avc|heart attack|crise cardiaque|infarctus|hypo[a-z]*)\b|"
    # Anyone supposed: "if you smell gas, should you open the windows?" (to the clause's end,
    # so that "if you see this, come quick, mum collapsed" keeps its danger).
    r"\b(if|when) (you|one|someone|somebody|anyone|a person|people) (smell|smells|see|sees|"
    r"find|finds|fall|falls|hear|hears|notice|notices)\b[^?.!,;]*|"
    r"\bif (i|she|he|we|mum|dad|my (husband|wife|mother|father)) (ever )?(fell|fall|falls|had "
    r"a (fall|stroke|heart attack)|were to fall|was taken ill)\b[^?.!,;]*|"
    r"\bsi (je|elle|il|mon mari|ma femme) (tombais|tombait|tombe|faisais|faisait|avais|avait) "
    r"(une chute|un malaise|un avc)?\b[^?.!,;]*|"
    r"\bsi (on|vous|quelqu'? ?un|une personne) (sent|sentez|voit|voyez|trouve|trouvez|tombe|"
    r"entend|entendez)\b[^?.!,;]*"
)

# Everyday phrases with a danger word in them: a fall asleep or ill, a car broken down, a gas
# fire (a heater), a trade called out urgently.
IDIOMS = re.compile(
    r"\b(fell|fallen|falling) (asleep|behind|ill|for|in love|out with|through)\b|"
    r"\btombe(e|es|r)? des nues\b|\ba tomber (par terre|a la renverse)\b|"
    # Laughter and cravings: "mort de rire", "failli m'étouffer de rire", "dying for a coffee".
    r"\b[a-z']+ de rire\b|\b(dying|die) (for|to|of laughter|laughing)\b|\bto die for\b|"
    r"\b(gave|give|giving) (me|her|him|us) a heart attack\b|"
    r"\b(j'?ai |a |ai |have |has |nearly |almost )?failli [a-z']+( [a-z']+){0,3}|"
    r"\b(nearly|almost) (had|have|gave|give|giving|died|die)( me| her| him)?( a heart attack| of"
    r" (laughing|shock|fright)| laughing)?\b|"
    r"\b(tiens|tient) (plus|pas) debout (tellement|de (rire|fatigue|sommeil))|"
    r"\btombe(e|es|r)? de (tres )?haut (en|quand|lorsque|d'? ?apprendre)\b|"
    r"\b(choking|suffocating|stifling|etouffe|etouffes|etouffons|on etouffe) (in this heat|"
    r"de chaud|de chaleur|with the heat|with heat)\b|"
    r"\b(la )?tete qui tourne (avec|a cause de|de) (tous|toutes|tout) (ces|ses|mes|les|ce)\b"
    r"[^.!?,;]*|\b(head|mind)('?s| is)? (spinning|in a spin) (with|from|over) (all )?(these|"
    r"this|the|my)\b[^.!?,;]*|"
    # First aid learnt, a defibrillator moved: no one in danger.
    r"\b(formes?|formee?s?|trained|know|knows|connaissent|connait|savent|sait|learn|"
    r"apprendre)\b[a-z' ]{0,12}\b(massage cardiaque|cpr|premiers secours|first aid|gestes qui "
    r"sauvent)\b|\b(defibrillat[a-z]*)\b[^.!?]{0,30}\b(a ete deplace|deplace|moved|installe|"
    r"installed|se trouve|est maintenant|is now)\b|"
    r"\btombee?s? a la renverse\b|\b(ronfle|snores?|snoring)\b[^.!?]{0,40}\b(on dirait|"
    r"comme s'? ?|like|as if)\b[^.!?,]{0,30}|"
    r"\b(le )?feu aux fesses\b|\b(fait|fais|faisait|acts?|acting) (comme s'? ?(il|elle|j)'? ?"
    r"(allait|allais) mourir|like (he|she)'?s dying|like (he|she) (was|is) dying)\b|"
    r"\b(y a|il y a|il n'?y a) pas le feu( au lac)?\b|"
    r"\b(choking|choked|choke) (it |them )?up\b|\blike (he|she)'?s (choking|dying)\b|"
    r"\bcomme s'? ?(il|elle) (s'? ?etouffait|etouffait|mourait)\b|"
    r"\b(gets?|getting) (chest pains?|breathless|out of breath|"
    r"short of breath) (on|when|going|climbing|walking|if)\b|"
    r"\b(is|are|so|that'?s|c'?est) ['\"‘’“”]?fire\b(?! (alarm|brigade|door|exit))|"
    r"\b(no |not any |without (a |any )?|pas d'? ?|pas de |aucune |sans )((smell|odeur) (of |de )?"
    r"(gas|gaz)|(gas|gaz) (smell|leak|odeur)|fuite de gaz|gas leak)|"
    r"\b(ne sent|ne sens|doesn'?t smell|does not smell|don'?t smell|can'?t smell) (pas |of |"
    r"any )?(le |du |la )?(gaz|gas|brule|burning|fumee|smoke)\b|"
    r"\btombe(e|es|r)? sur [a-z']{1,6} ?(annonce|numero|message|article|site|pub|publicite|"
    r"arnaque|emission|reportage|offre|lettre|courrier)|"
    r"\btombe(e|es|r)? (en panne|malade|"
    r"d'? ?accord|a pic|a l'? ?eau|bien|(raide )?amoureu[a-z]*|enceinte)\b|"
    r"\b(gas|electric|coal) fires?\b|\bstroke of luck\b|"
    r"\b(emergency|urgent) (dentist|dental|plumber|electrician|locksmith|vet|repairs?|"
    r"appointment|glazier)\b|"
    r"\b(dentiste|plombier|serrurier|electricien|veterinaire|veto|vitrier|depannage)s? "
    r"(d'? ?urgence|en urgence)\b|"
    # A cry about a machine: "au secours, ma box internet ne marche plus !!" (the cry only: the
    # rest of the message keeps its words of danger, if any).
    r"\b(au secours|a l'? ?aide|help|sos)\b(?=[ ,!:.-]{0,4}(mon|ma|mes|le|la|les|my|the|this|"
    r"cette|ce|cet) (box|internet|wi-?fi|ordi|ordinateur|imprimante|tablette|telephone|portable|"
    r"smartphone|computer|laptop|printer|tablet|phone|mobile|ipad|iphone|appli|application|app|"
    r"mot de passe|password|e-?mails?|mails?|messagerie|facebook|whatsapp|tele|television|tv|"
    r"telly|telecommande|remote|ecran|screen|souris|mouse|clavier|keyboard)\b)"
)
