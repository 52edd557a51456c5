"""What each e-mail of the outbox says: per template its subject, what happened and what
happens next (`mail.compose` adds the case's number, title, contact person and status link)."""

from __future__ import annotations

#: template → (subject, what happened, what happens next)
TEXTS: dict[str, tuple[str, str, str]] = {
    "ontvangstbevestiging": (
        "Wij hebben uw initiatief ontvangen",
        "Dank u wel voor uw initiatief. Wij hebben het goed ontvangen.",
        "Het initiatieventeam bekijkt uw plan. U hoort binnen twee weken wie uw vaste "
        "contactpersoon wordt.",
    ),
    "casist_gekoppeld": (
        "Uw vaste contactpersoon voor uw initiatief",
        "Uw initiatief heeft nu een vaste contactpersoon bij de gemeente.",
        "Uw contactpersoon neemt contact met u op voor een startgesprek.",
    ),
    "verzoek_aanvulling": (
        "Wij hebben meer informatie nodig",
        "Om uw initiatief goed te kunnen beoordelen, hebben wij meer informatie van u nodig.",
        "Stuur de ontbrekende informatie naar uw contactpersoon. Zolang wij op u wachten, "
        "staat de beoordeling stil.",
    ),
    "wijkwens_volgend_jaar": (
        "Uw wijkwens wordt na 1 januari behandeld",
        "Uw wijkwens gaat over de openbare ruimte en kwam na 1 oktober binnen. Zulke wensen "
        "behandelt de regiegroep met het budget van het nieuwe jaar.",
        "U hoeft niets te doen: na 1 januari komt uw wens op de agenda van de regiegroep. Wilt "
        "u hem intrekken, dan kan dat via de link hieronder.",
    ),
    "vragen_beoordeling": (
        "Vragen over uw plan",
        "De specialisten die uw plan beoordelen, hebben deze vragen:",
        "Beantwoord de vragen via de link hieronder, of stuur uw antwoorden naar uw "
        "contactpersoon. Daarna beoordelen de specialisten uw plan verder.",
    ),
    "herinnering_aanvulling": (
        "Herinnering: wij wachten op uw informatie",
        "Wij hebben u eerder om meer informatie gevraagd, maar nog niets ontvangen.",
        "Stuur de informatie zo snel mogelijk. Zonder reactie kunnen wij uw initiatief niet "
        "verder behandelen.",
    ),
    "niet_voortgezet_geen_reactie": (
        "Uw initiatief wordt niet verder behandeld",
        "Wij hebben de gevraagde informatie niet op tijd ontvangen.",
        "Wij behandelen uw initiatief daarom niet verder. U kunt altijd opnieuw een initiatief "
        "indienen.",
    ),
    "niet_voortgezet_geen_aanvraag": (
        "Uw initiatief wordt niet verder behandeld",
        "Wij hebben uw subsidieaanvraag niet op tijd ontvangen.",
        "Wij behandelen uw initiatief daarom niet verder. U kunt altijd opnieuw een initiatief "
        "indienen.",
    ),
    "integraal_advies": (
        "Het advies over uw initiatief",
        "De gemeente heeft uw initiatief van alle kanten bekeken en een advies opgesteld.",
        "Uw contactpersoon bespreekt het advies met u en vertelt wat de volgende stap is.",
    ),
    "verzoek_planaanpassing": (
        "Wilt u uw plan aanpassen?",
        "Uit de beoordeling blijkt dat uw plan op een paar punten moet worden aangepast.",
        "Uw contactpersoon vertelt u welke punten dat zijn. Stuur daarna uw aangepaste plan.",
    ),
    "uitnodiging_subsidieaanvraag": (
        "U kunt subsidie aanvragen",
        "Uw initiatief komt in aanmerking voor een bijdrage uit het initiatievenfonds.",
        "Dien de formele subsidieaanvraag in. Uw contactpersoon helpt u daarbij.",
    ),
    "beschikking_verlening": (
        "Besluit: u krijgt subsidie",
        "De gemeente heeft besloten u subsidie te verlenen voor uw initiatief.",
        "U ontvangt het besluit ook per brief. Daarin staat hoe en wanneer het geld wordt betaald.",
    ),
    "beschikking_weigering": (
        "Besluit over uw subsidieaanvraag",
        "De gemeente heeft besloten geen subsidie te verlenen voor uw initiatief.",
        "U ontvangt het besluit met de redenen ook per brief. Daarin staat hoe u bezwaar kunt "
        "maken.",
    ),
    "weigering_subsidieplafond": (
        "Besluit over uw subsidieaanvraag",
        "Het geld in het initiatievenfonds voor dit jaar is op. Daarom kunnen wij geen "
        "subsidie verlenen.",
        "Uw contactpersoon bespreekt met u of er andere mogelijkheden zijn.",
    ),
    "verdagingsbericht": (
        "Wij hebben meer tijd nodig voor ons besluit",
        "Wij kunnen niet binnen de gewone termijn beslissen over uw aanvraag.",
        "Wij nemen uiterlijk binnen acht weken na de gewone termijn een besluit.",
    ),
    "afwijzing": (
        "Uw initiatief",
        "Na beoordeling gaat de gemeente niet verder met uw initiatief.",
        "Uw contactpersoon legt u uit waarom. U kunt altijd opnieuw een initiatief indienen.",
    ),
    "afwijzing_met_masterclass": (
        "Uw initiatief",
        "Na beoordeling gaat de gemeente nu niet verder met uw initiatief.",
        "Wij nodigen u uit voor de leergang Sociaal Ondernemen van Stichting MBO Dordrecht, "
        "waarin u leert hoe u uw plan sterker maakt. Wij hebben uw naam en e-mailadres aan de "
        "stichting doorgegeven; zij neemt contact met u op.",
    ),
    "afwijzing_fondstoets": (
        "Uw aanvraag bij het initiatievenfonds",
        "Uw initiatief voldoet niet aan de voorwaarden van het initiatievenfonds.",
        "Uw contactpersoon legt u uit waarom.",
    ),
    "afwijzing_fondstoets_met_masterclass": (
        "Uw aanvraag bij het initiatievenfonds",
        "Uw initiatief voldoet nu niet aan de voorwaarden van het initiatievenfonds.",
        "Wij nodigen u uit voor de leergang Sociaal Ondernemen van Stichting MBO Dordrecht, "
        "waarin u leert hoe u uw plan sterker maakt. Wij hebben uw naam en e-mailadres aan de "
        "stichting doorgegeven; zij neemt contact met u op.",
    ),
    "aanmelding_masterclass": (
        "Aanmelding leergang Sociaal Ondernemen",
        "De gemeente Dordrecht meldt een initiatiefnemer aan voor de leergang Sociaal "
        "Ondernemen. Het plan is nu niet gehonoreerd omdat de (financiële) basis of de "
        "organisatie nog niet sterk genoeg is.",
        "Wilt u contact opnemen met de initiatiefnemer? Voor vragen over het initiatief kunt u "
        "terecht bij de contactpersoon van de gemeente.",
    ),
    "doorverwijzing_regeling": (
        "Uw initiatief past bij een andere regeling",
        "Uw initiatief past beter bij een andere regeling van de gemeente.",
        "Uw contactpersoon vertelt u welke regeling dat is en hoe u die aanvraagt.",
    ),
    "doorgezet_wijkwens": (
        "Uw initiatief gaat verder als wijkwens",
        "Uw initiatief past het best bij de wijkwensen van uw gebied.",
        "Het secretariaat wijkwensen neemt uw aanvraag over.",
    ),
    "doorgezet_eenvoudig_groen": (
        "Uw initiatief gaat verder als groeninitiatief",
        "Uw initiatief gaat over groen in uw buurt en kan op een eenvoudige manier verder.",
        "Gebiedsbeheer neemt contact met u op om afspraken te maken.",
    ),
    "doorverwezen_ander_loket": (
        "Uw initiatief hoort bij een ander loket",
        "Uw initiatief kan het best worden behandeld door een ander loket.",
        "Wij hebben uw vraag doorgestuurd. U hoort van hen hoe het verder gaat.",
    ),
    "intrekking_bevestigd": (
        "U heeft uw initiatief ingetrokken",
        "Wij bevestigen dat u uw initiatief heeft ingetrokken.",
        "Wij behandelen het niet verder. Een gereserveerde bijdrage uit het fonds is vrijgegeven.",
    ),
    "vaststelling": (
        "Besluit: de subsidie is vastgesteld",
        "De gemeente heeft de subsidie voor uw initiatief vastgesteld op basis van uw melding "
        "dat het is uitgevoerd.",
        "U hoeft niets te doen. U ontvangt het besluit ook per brief, met het vastgestelde bedrag.",
    ),
    "vaststelling_terugvordering": (
        "Besluit: de subsidie is lager vastgesteld",
        "De gemeente heeft de subsidie voor uw initiatief vastgesteld. U heeft minder besteed "
        "dan u vooraf kreeg.",
        "U ontvangt het besluit per brief, met het bedrag dat u terugbetaalt en hoe. Heeft u "
        "vragen, neem dan contact op met uw contactpersoon.",
    ),
    "wijziging_akkoord": (
        "Uw wijziging kan doorgaan",
        "Uw contactpersoon heeft uw wijzigingsverzoek bekeken: de wijziging mag.",
        "Hieronder staan uw verzoek en de toelichting. Wat daar staat, geldt nu als afspraak.",
    ),
    "wijziging_niet_akkoord": (
        "Uw wijziging kan niet zo doorgaan",
        "Uw contactpersoon heeft uw wijzigingsverzoek bekeken: de wijziging kan niet zoals u "
        "vroeg.",
        "Hieronder staan uw verzoek en waarom het niet kan. Uw contactpersoon denkt graag met "
        "u mee over wat wel kan; de eerdere afspraken blijven gelden.",
    ),
    "initiatief_afgerond": (
        "Uw initiatief is afgerond",
        "Uw initiatief is afgerond. Dank u wel voor uw inzet voor de stad.",
        "Wij horen graag hoe u de samenwerking met de gemeente heeft ervaren.",
    ),
    "wijkwens_ontvangen": (
        "Wij hebben uw wijkwens ontvangen",
        "Dank u wel voor uw wijkwens. Wij hebben hem goed ontvangen.",
        "De regiegroep van uw gebied bespreekt uw wijkwens in een van haar volgende vergaderingen.",
    ),
    "wijkwens_aanvulling_gevraagd": (
        "Wij hebben meer informatie nodig over uw wijkwens",
        "Om uw wijkwens te kunnen behandelen, hebben wij meer informatie van u nodig.",
        "Stuur de ontbrekende informatie naar het secretariaat wijkwensen.",
    ),
    "wijkwens_verdaging": (
        "Het besluit over uw wijkwens duurt langer",
        "De regiegroep van uw gebied bespreekt uw wijkwens in haar eerstvolgende vergadering. "
        "Daardoor kunnen wij niet binnen acht weken na uw volledige aanvraag besluiten: wij "
        "stellen het besluit uit (verdaging).",
        "U hoeft niets te doen. Hieronder staan de datum van de vergadering en de datum waarop u "
        "uiterlijk ons besluit ontvangt.",
    ),
    "wijkwens_aangehouden": (
        "Uw wijkwens komt terug in de volgende vergadering",
        "De regiegroep heeft uw wijkwens besproken, maar wil eerst nog iets weten of afwachten. "
        "Zij houdt haar advies aan tot haar volgende vergadering.",
        "Het secretariaat wijkwensen laat u weten wat de regiegroep nog nodig heeft. Hieronder "
        "staat waarom de regiegroep haar advies aanhoudt.",
    ),
    "wijkwens_doorverwezen": (
        "Uw wijkwens past bij een andere regeling",
        "De regiegroep heeft uw wijkwens besproken en vindt dat hij beter past bij een andere "
        "regeling of een ander loket.",
        "Hieronder staat waar u uw wens kunt indienen. Het secretariaat wijkwensen helpt u graag "
        "als u vragen heeft.",
    ),
    "adviesvraag_wijkwens": (
        "Adviesvraag over een wijkwens",
        "De regiegroep wijkwensen vraagt uw advies over een wens van bewoners.",
        "Stuur uw advies binnen 14 dagen naar het secretariaat wijkwensen. Zonder advies "
        "bespreekt de regiegroep de wens zonder uw inbreng.",
    ),
    "wijkwens_toegekend": (
        "Uw wijkwens is toegekend",
        "Goed nieuws: uw wijkwens is toegekend.",
        "U hoort van het secretariaat wijkwensen hoe het verder gaat.",
    ),
    "wijkwens_betaling_te_laat": (
        "Betaling wijkwens te laat",
        "De betaling van een toegekende wijkwens is later dan afgesproken.",
        "Zorg dat de betaling zo snel mogelijk wordt gedaan.",
    ),
    "wijkwens_afgewezen": (
        "Besluit over uw wijkwens: afgewezen",
        "De gebiedsmanager heeft besloten uw wijkwens niet toe te kennen.",
        "U ontvangt het besluit met de reden ook per brief. Bent u het er niet mee eens, dan "
        "staat in die brief hoe u bezwaar maakt.",
    ),
    "wijkwens_budget_op": (
        "Besluit over uw wijkwens: het budget is op",
        "Uw wijkwens past bij de wijk, maar het budget voor wijkwensen in uw gebied is dit jaar "
        "op. Wij kunnen er daarom geen bijdrage voor geven.",
        "U kunt uw wens volgend jaar opnieuw indienen. U ontvangt het besluit ook per brief.",
    ),
    "wijkwens_buiten_behandeling": (
        "Uw wijkwens wordt niet behandeld",
        "Wij hebben de gevraagde aanvulling op uw wijkwens niet op tijd ontvangen.",
        "Wij behandelen uw wijkwens daarom niet verder. U kunt altijd opnieuw een wens indienen.",
    ),
    "wijkwens_ingetrokken": (
        "Uw wijkwens is ingetrokken",
        "U heeft uw wijkwens ingetrokken. Wij behandelen hem niet verder.",
        "U hoeft niets meer te doen. U kunt altijd opnieuw een wens indienen.",
    ),
    "wijkwens_betaald": (
        "Het geld voor uw wijkwens is betaald",
        "Wij hebben de bijdrage voor uw wijkwens overgemaakt.",
        "Veel succes met de uitvoering. Vertel ons daarna via de link hieronder hoe het is "
        "gegaan, met een foto als u wilt: dat lezen de regiegroep en de gebiedsmanager graag.",
    ),
    "wijkwens_vervuld": (
        "Uw wijkwens is afgerond",
        "Uw wijkwens is uitgevoerd en betaald. Dank u wel voor uw inzet voor de buurt.",
        "U hoeft niets meer te doen. Heeft u een nieuwe wens, dan kunt u die altijd indienen.",
    ),
    "groen_geveltuin_plantklaar": (
        "Uw geveltuin is plantklaar",
        "De aannemer heeft uw geveltuin plantklaar gemaakt.",
        "U kunt nu planten. Houdt u de geveltuin zelf bij, zoals afgesproken.",
    ),
    "groen_adoptie_actief": (
        "Uw adoptie van openbaar groen is gestart",
        "U heeft de afspraken geaccepteerd; de gemeente heeft het materiaal geleverd.",
        "Dank u wel voor uw zorg voor de buurt. Meld problemen via de Wijklijn (14 078).",
    ),
    "groen_adoptie_niet_doorgegaan": (
        "Uw adoptie gaat niet door",
        "Wij hebben de afsprakenbrief niet op tijd geaccepteerd terugontvangen.",
        "De adoptie gaat daarom niet door. U kunt altijd opnieuw een aanvraag doen.",
    ),
    "groen_afgewezen": (
        "Uw groenaanvraag kan niet doorgaan",
        "Na bekijken van de plek kan uw aanvraag helaas niet doorgaan.",
        "U ontvangt de reden en een mogelijk alternatief ook per brief.",
    ),
    "groen_doorverwezen": (
        "Uw groenaanvraag gaat naar wijkwensen",
        "Uw aanvraag past niet bij eenvoudig groen, maar mogelijk wel bij de wijkwensen.",
        "Dien uw wens in bij wijkwensen van uw gebied; de regiegroep bekijkt hem dan.",
    ),
    "groen_ingetrokken": (
        "Uw groenaanvraag is ingetrokken",
        "U heeft uw groenaanvraag ingetrokken. Wij behandelen hem niet verder.",
        "U hoeft niets meer te doen. U kunt altijd opnieuw een aanvraag doen.",
    ),
    "groen_ontvangen": (
        "Wij hebben uw groeninitiatief ontvangen",
        "Dank u wel voor uw groeninitiatief. Wij hebben het goed ontvangen.",
        "Gebiedsbeheer neemt contact met u op.",
    ),
    "groen_afsprakenbrief": (
        "De afspraken over uw groeninitiatief",
        "Wij hebben de afspraken over uw groeninitiatief op een rij gezet.",
        "U ontvangt de afsprakenbrief ook per post. Bewaar hem goed.",
    ),
    "escalatie_eerste_contact": (
        "Eerste contact met initiatiefnemer te laat",
        "Met de initiatiefnemer is niet op tijd een eerste contact gelegd.",
        "Zorg dat een casist vandaag contact opneemt.",
    ),
    "norm_verstreken": (
        "Norm verstreken: een taak wacht langer dan afgesproken",
        "Een taak is niet binnen haar norm afgerond. Hieronder staat welke taak, welke norm en "
        "bij wie de taak ligt.",
        "Bekijk in Wegwijs wat er nodig is en spreek af wie de taak vandaag oppakt.",
    ),
    "escalatie_norm": (
        "Escalatie: een taak is ver over haar norm",
        "Een taak is ook na het signaal niet afgerond en heeft nu de uiterste termijn bereikt. "
        "Hieronder staat welke taak, welke termijn en bij wie de taak ligt.",
        "Beslis wie de taak overneemt of wat er nodig is om haar af te ronden, en laat de "
        "initiatiefnemer weten wat hij kan verwachten.",
    ),
    "escalatie_beoordeling": (
        "Beoordeling van een aspect te laat",
        "Een of meer aspectbeoordelingen zijn niet binnen de norm afgerond:",
        "Bekijk in Wegwijs wie de beoordeling heeft en wat er nodig is.",
    ),
    "herinnering_beoordeling": (
        "Herinnering: een beoordeling wacht op u",
        "Een of meer aspectbeoordelingen naderen het einde van hun termijn:",
        "Rond de beoordeling af in Wegwijs.",
    ),
    "escalatie_beslistermijn": (
        "Beslistermijn dreigt te verlopen",
        "De wettelijke beslistermijn van een subsidieaanvraag dreigt te verlopen.",
        "Zorg dat het besluit op tijd wordt genomen.",
    ),
    "dagoverzicht": (
        "Uw taken in Wegwijs vandaag",
        "Dit zijn de taken die u heeft en die vandaag aandacht vragen: te laat, bijna aan de "
        "beurt, of sinds gisteren aan u gegeven.",
        "U vindt ze onder Mijn taken in Wegwijs. Kunt u een taak niet op tijd doen, leg haar "
        "dan terug in de teambak of vraag uw teamleider haar aan een collega te geven.",
    ),
    "statuslink": (
        "Uw persoonlijke link om uw initiatief te volgen",
        "U vroeg om een nieuwe link naar de pagina waarop u ziet hoe het met uw initiatief "
        "staat. Eerdere links werken niet meer.",
        "Bewaar deze e-mail. Met de link hieronder ziet u altijd waar uw initiatief staat.",
    ),
}
#: messages to colleagues rather than to the initiator
TO_STAFF = frozenset(
    {
        "escalatie_eerste_contact",
        "escalatie_beoordeling",
        "herinnering_beoordeling",
        "escalatie_beslistermijn",
        "wijkwens_betaling_te_laat",
        "norm_verstreken",
        "escalatie_norm",
        "dagoverzicht",
    }
)
#: messages to a partner outside the municipality: no status link, the initiator's contact
#: details as items, the municipality's contact person named
TO_PARTNER = frozenset({"aanmelding_masterclass", "adviesvraag_wijkwens"})
FALLBACK = (
    "Nieuws over uw initiatief",
    "Er is iets veranderd aan uw initiatief.",
    "Uw contactpersoon vertelt u graag meer.",
)
