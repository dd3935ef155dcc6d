"""Demo listings of the Piana di Lucca operators (`manage.py seed_demo`). Idempotent: products
are matched by slug; rates, schedules and unit types are made once; inventory is topped up."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from accounts.models import Organisation
from places.models import Comune

from . import services
from .media import photo_validate, thumbnail_for
from .models import (
    CancellationPolicy,
    CancellationTier,
    CurationEvent,
    GoodsStock,
    Language,
    NightInventory,
    OperatorContract,
    Product,
    ProductPhoto,
    ProductStatus,
    ScheduleRule,
    Theme,
    UnitType,
)
from .pricing import money

D = Decimal


@dataclass
class Unit:
    name_it: str
    name_en: str
    units: int
    price: str
    standard: int = 2
    max: int = 2
    children: int = 0
    min_stay: int = 1


@dataclass
class Spec:
    slug: str
    org: str
    kind: str
    comune: str
    title: tuple[str, str]
    summary: tuple[str, str]
    description: tuple[str, str]
    themes: tuple[str, ...] = ()
    langs: tuple[str, ...] = ("it", "en")
    price: str = "0"
    meeting: tuple[str, str] | None = None
    status: str = ProductStatus.PUBLISHED
    # slots: list of (weekdays, "HH:MM") and capacity
    times: tuple[tuple[str, str], ...] = ()
    capacity: int = 12
    duration: int = 120
    min_pax: int = 1
    max_pax: int | None = None
    per_unit: bool = False
    child: tuple[int, int, str] | None = None  # age band and price
    senior: str | None = None
    group: tuple[int, str] | None = None  # from N pax, price
    free_every: int | None = None
    category: str = ""
    units: tuple[Unit, ...] = ()
    stock: int = 0
    fulfilment: str = ""
    vat: str = "22.00"
    reason: str = ""
    extra: dict = field(default_factory=dict)


DAILY, TUE_SUN, WEEKEND = "1234567", "234567", "67"

SPECS: list[Spec] = [
    # --- Lucca Guide Autorizzate (Lucca) ---
    Spec(
        "lucca-walls-guided-tour",
        "lucca-guide-autorizzate",
        "experience",
        "Lucca",
        ("Le Mura di Lucca: visita guidata", "Lucca's Walls guided tour"),
        (
            "Quattro chilometri di bastioni rinascimentali, intatti, da percorrere a piedi.",
            "Four kilometres of intact Renaissance ramparts, explored on foot.",
        ),
        (
            "Con una guida abilitata percorrete le Mura dal Baluardo San Frediano al Baluardo "
            "San Regolo, scendete nelle sortite e scoprite perché Lucca non fu mai assediata.",
            "With a licensed guide you walk the Walls from the San Frediano to the San Regolo "
            "bastion, go down into the sally ports and learn why Lucca was never besieged.",
        ),
        themes=("culture",),
        langs=("it", "en", "de", "fr"),
        price="20.00",
        meeting=(
            "Baluardo San Frediano, accanto alla Casermetta",
            "San Frediano bastion, by the Casermetta",
        ),
        times=((DAILY, "10:00"), (DAILY, "15:00")),
        capacity=25,
        child=(6, 12, "10.00"),
        senior="17.00",
        group=(20, "15.00"),
        free_every=20,
    ),
    Spec(
        "puccini-lucca-walk",
        "lucca-guide-autorizzate",
        "experience",
        "Lucca",
        ("Sulle tracce di Puccini a Lucca", "In Puccini's footsteps in Lucca"),
        (
            "La casa natale, San Martino dove suonava l'organo, il caffè Di Simo.",
            "His birthplace, San Martino where he played the organ, Caffè Di Simo.",
        ),
        (
            "Un percorso di novanta minuti tra i luoghi del giovane Giacomo Puccini, dalla Corte "
            "San Lorenzo al Teatro del Giglio, con ascolti delle arie più amate.",
            "A ninety-minute route through young Giacomo Puccini's places, from Corte San "
            "Lorenzo to the Teatro del Giglio, with the best-loved arias along the way.",
        ),
        themes=("culture", "events"),
        langs=("it", "en", "de"),
        price="22.00",
        meeting=(
            "Piazza Cittadella, davanti alla statua di Puccini",
            "Piazza Cittadella, at Puccini's statue",
        ),
        times=((DAILY, "11:00"),),
        capacity=20,
        duration=90,
        child=(6, 14, "11.00"),
        free_every=20,
    ),
    Spec(
        "lucca-towers-and-churches-tour",
        "lucca-guide-autorizzate",
        "experience",
        "Lucca",
        ("Torri e chiese di Lucca", "Towers and churches of Lucca"),
        (
            "Torre Guinigi con i suoi lecci, San Michele in Foro e il Volto Santo.",
            "The Guinigi Tower with its holm oaks, San Michele in Foro and the Volto Santo.",
        ),
        (
            "Saliamo i 230 gradini della Torre Guinigi, entriamo in San Martino davanti al Volto "
            "Santo e al sepolcro di Ilaria del Carretto di Jacopo della Quercia.",
            "We climb the 230 steps of the Guinigi Tower and enter San Martino to see the Volto "
            "Santo and Jacopo della Quercia's tomb of Ilaria del Carretto.",
        ),
        themes=("culture",),
        langs=("it", "en", "fr"),
        price="28.00",
        meeting=("Piazza San Michele, sul sagrato", "Piazza San Michele, on the church steps"),
        times=((TUE_SUN, "09:30"),),
        capacity=18,
        duration=150,
        child=(6, 12, "14.00"),
        extra={"accessibility_notes": ("Include la salita alla torre.", "Includes a tower climb.")},
    ),
    Spec(
        "lucca-comics-walking-tour",
        "lucca-guide-autorizzate",
        "experience",
        "Lucca",
        ("Lucca Comics: la città del fumetto", "Lucca Comics: the comics city"),
        (
            "Dalla prima mostra del 1966 alla festa di oggi, tra murales e padiglioni.",
            "From the first 1966 show to today's festival, among murals and pavilions.",
        ),
        (
            "Una passeggiata nella storia di Lucca Comics & Games, in bozza per la prossima "
            "edizione.",
            "A walk through the history of Lucca Comics & Games, drafted for the next edition.",
        ),
        themes=("events", "culture"),
        price="18.00",
        times=((WEEKEND, "16:00"),),
        status=ProductStatus.DRAFT,
    ),
    # --- Le Leggende di Lucca (Lucca) ---
    Spec(
        "lucca-legends-night-walk",
        "guida-le-leggende-lucca",
        "experience",
        "Lucca",
        ("Lucca di notte: leggende e fantasmi", "Lucca by night: legends and ghosts"),
        (
            "Lucida Mansi, il diavolo di San Frediano e la Pantera: storie a lume di lanterna.",
            "Lucida Mansi, the devil of San Frediano and the Panther: tales by lantern light.",
        ),
        (
            "Di sera, nei vicoli, la guida racconta le leggende che i lucchesi si tramandano: "
            "la bella Lucida Mansi e il patto col diavolo, il ponte del diavolo, la Pantera.",
            "In the evening, in the lanes, the guide tells the legends Lucca passes down: "
            "beautiful Lucida Mansi and her pact with the devil, the devil's bridge, the Panther.",
        ),
        themes=("legends-traditions", "culture"),
        price="18.00",
        meeting=("Piazza dell'Anfiteatro, lato nord", "Piazza dell'Anfiteatro, north side"),
        times=((DAILY, "21:00"),),
        capacity=20,
        duration=90,
        child=(8, 14, "10.00"),
    ),
    Spec(
        "lucca-ghost-stories-for-families",
        "guida-le-leggende-lucca",
        "experience",
        "Lucca",
        ("Fantasmi per famiglie", "Ghost stories for families"),
        (
            "Una caccia al tesoro tra le leggende di Lucca, per bambini dai 5 anni.",
            "A treasure hunt through Lucca's legends, for children from 5.",
        ),
        (
            "Indizi, enigmi e un finale in piazza San Frediano: le leggende raccontate ai più "
            "piccoli, senza spaventarli troppo.",
            "Clues, riddles and a finale in Piazza San Frediano: the legends told to children, "
            "without scaring them too much.",
        ),
        themes=("legends-traditions",),
        price="14.00",
        times=((WEEKEND, "17:00"),),
        capacity=25,
        duration=75,
        child=(4, 12, "8.00"),
    ),
    Spec(
        "palazzo-mansi-evening-tale",
        "guida-le-leggende-lucca",
        "experience",
        "Lucca",
        ("Le stanze di Lucida Mansi", "Lucida Mansi's rooms"),
        (
            "Visita serale a Palazzo Mansi, tra la camera degli sposi e gli specchi.",
            "An evening visit of Palazzo Mansi, its bridal chamber and its mirrors.",
        ),
        (
            "Il palazzo seicentesco dove, dice la leggenda, Lucida Mansi vendette l'anima per la "
            "giovinezza: racconto teatrale nelle sale affrescate.",
            "The seventeenth-century palazzo where, legend says, Lucida Mansi sold her soul for "
            "youth: a theatrical tale in the frescoed rooms.",
        ),
        themes=("legends-traditions", "culture"),
        price="24.00",
        times=(("56", "20:30"),),
        capacity=15,
        duration=60,
    ),
    # --- Francigena Walking Guides (Altopascio / Porcari) ---
    Spec(
        "francigena-guided-walk-altopascio",
        "francigena-walking-guides",
        "experience",
        "Altopascio",
        (
            "Via Francigena: cammino guidato ad Altopascio",
            "Via Francigena guided walk at Altopascio",
        ),
        (
            "Dodici chilometri sul tracciato di Sigerico, dalla Magione del Tau alle Cerbaie.",
            "Twelve kilometres on Sigeric's route, from the Magione del Tau to the Cerbaie.",
        ),
        (
            "Partiamo dall'ospedale dei Cavalieri del Tau, dove la campana Smarrita guidava i "
            "pellegrini, e camminiamo sul basolato medievale fino al bosco.",
            "We start at the hospital of the Knights of the Tau, whose Smarrita bell guided "
            "pilgrims, and walk the medieval paving to the woods.",
        ),
        themes=("nature-outdoor", "culture"),
        langs=("it", "en", "de"),
        price="25.00",
        meeting=(
            "Piazza Ospitalieri, sotto il campanile",
            "Piazza Ospitalieri, under the bell tower",
        ),
        times=((WEEKEND, "08:30"),),
        capacity=25,
        duration=240,
        child=(8, 14, "12.00"),
        group=(15, "20.00"),
        free_every=20,
    ),
    Spec(
        "cerbaie-woods-nature-walk",
        "francigena-walking-guides",
        "experience",
        "Altopascio",
        ("Le Cerbaie: boschi e sfagneti", "The Cerbaie: woods and peat bogs"),
        (
            "Un'area protetta sorprendente tra pini, sfagni e piante carnivore.",
            "A surprising protected area of pines, peat moss and carnivorous plants.",
        ),
        (
            "Tre ore nei boschi delle Cerbaie con un accompagnatore escursionistico: le drosere, "
            "i laghetti, la storia dei boscaioli.",
            "Three hours in the Cerbaie woods with a hiking leader: sundews, ponds and the story "
            "of the woodcutters.",
        ),
        themes=("nature-outdoor",),
        price="18.00",
        times=(("7", "09:00"),),
        capacity=20,
        duration=180,
        child=(6, 14, "9.00"),
    ),
    Spec(
        "francigena-stage-porcari-lucca",
        "francigena-walking-guides",
        "experience",
        "Porcari",
        ("Tappa Francigena Porcari–Lucca", "Francigena stage Porcari to Lucca"),
        (
            "Dal colle di Porcari alle Mura di Lucca, quattordici chilometri in piano.",
            "From the Porcari hill to Lucca's Walls, fourteen flat kilometres.",
        ),
        (
            "Saliamo alla torre di Porcari, attraversiamo la piana bonificata e arriviamo a "
            "Lucca da Porta San Gervasio, con credenziale timbrata.",
            "We climb to the Porcari tower, cross the reclaimed plain and enter Lucca through "
            "Porta San Gervasio, with a stamped pilgrim passport.",
        ),
        themes=("nature-outdoor", "culture"),
        price="30.00",
        times=(("6", "08:00"),),
        capacity=20,
        duration=300,
    ),
    # --- Guide della Valle delle Cartiere (Villa Basilica) ---
    Spec(
        "paper-valley-walk-villa-basilica",
        "guide-valle-cartiere",
        "experience",
        "Villa Basilica",
        ("La valle delle cartiere", "The paper-mill valley"),
        (
            "Lungo il torrente Pescia, tra le gore e le antiche cartiere a pila.",
            "Along the Pescia stream, among the mill races and old stamping paper mills.",
        ),
        (
            "Da Botticino a Villa Basilica seguiamo l'acqua che per secoli ha mosso le pile "
            "della carta paglia, la carta gialla del pane toscano.",
            "From Botticino to Villa Basilica we follow the water that for centuries drove the "
            "stampers making straw paper, the yellow paper of Tuscan bread.",
        ),
        themes=("crafts", "nature-outdoor"),
        price="16.00",
        times=(("6", "10:00"),),
        capacity=20,
        duration=180,
    ),
    Spec(
        "villa-basilica-romanesque-pieve",
        "guide-valle-cartiere",
        "experience",
        "Villa Basilica",
        ("La pieve romanica di Villa Basilica", "The Romanesque church of Villa Basilica"),
        (
            "La pieve di Santa Maria Assunta e il crocifisso dipinto di Berlinghiero.",
            "The church of Santa Maria Assunta and Berlinghiero's painted crucifix.",
        ),
        (
            "Visita guidata alla pieve del XII secolo e al borgo, con vista sulla Valdinievole.",
            "A guided visit of the twelfth-century church and the village, overlooking the "
            "Valdinievole.",
        ),
        themes=("culture",),
        price="10.00",
        times=(("7", "15:00"),),
        capacity=25,
        duration=90,
        child=(6, 14, "5.00"),
    ),
    Spec(
        "chestnut-woods-hike-villa-basilica",
        "guide-valle-cartiere",
        "experience",
        "Villa Basilica",
        ("Castagneti di Boveglio", "Chestnut woods of Boveglio"),
        (
            "Escursione ai metati dove si seccano le castagne per la farina dolce.",
            "A hike to the drying huts where chestnuts become sweet flour.",
        ),
        (
            "Sentieri tra castagni secolari fino a Boveglio, con merenda di necci e ricotta.",
            "Paths among centuries-old chestnut trees up to Boveglio, with necci and ricotta.",
        ),
        themes=("nature-outdoor", "food-wine"),
        price="22.00",
        times=(("7", "09:30"),),
        capacity=18,
        duration=240,
    ),
    Spec(
        "paper-museum-night",
        "guide-valle-cartiere",
        "experience",
        "Villa Basilica",
        ("Notte al museo della carta", "A night at the paper museum"),
        (
            "Apertura serale con dimostrazione di fabbricazione a mano.",
            "An evening opening with a hand paper-making demonstration.",
        ),
        (
            "In attesa di pubblicazione dalla DMC.",
            "Waiting for the DMC to publish it.",
        ),
        themes=("crafts", "events"),
        price="12.00",
        times=(("5", "20:30"),),
        status=ProductStatus.APPROVED,
    ),
    # --- Cartiera Artigiana (Villa Basilica) ---
    Spec(
        "villa-basilica-paper-workshop",
        "cartiera-artigiana-villa-basilica",
        "experience",
        "Villa Basilica",
        ("Laboratorio di carta fatta a mano", "Hand-made paper workshop"),
        (
            "Stracci, tino e forma: fate il vostro foglio con la filigrana.",
            "Rags, vat and mould: make your own watermarked sheet.",
        ),
        (
            "Nel laboratorio della cartiera imparate la tecnica seicentesca: si pesta la "
            "pasta, si leva il foglio con la forma, si pressa e si asciuga. Portate a casa i "
            "vostri fogli.",
            "In the mill's workshop you learn the seventeenth-century technique: beat the pulp, "
            "lift the sheet with the mould, press and dry it. You take your sheets home.",
        ),
        themes=("crafts",),
        langs=("it", "en", "fr"),
        price="35.00",
        meeting=(
            "Cartiera Artigiana, Via della Cartiera 7",
            "Cartiera Artigiana, Via della Cartiera 7",
        ),
        times=(("23456", "10:00"), ("23456", "15:00")),
        capacity=12,
        duration=120,
        child=(6, 14, "20.00"),
        group=(10, "30.00"),
    ),
    Spec(
        "handmade-paper-notebook",
        "cartiera-artigiana-villa-basilica",
        "goods",
        "Villa Basilica",
        ("Quaderno di carta a mano", "Handmade paper notebook"),
        (
            "Sessanta fogli di carta di cotone cuciti a mano, copertina in carta paglia.",
            "Sixty sheets of cotton paper, hand-stitched, straw-paper cover.",
        ),
        (
            "Ogni foglio porta la filigrana della cartiera; formato A5, rilegatura a vista.",
            "Every sheet bears the mill's watermark; A5 size, exposed binding.",
        ),
        themes=("crafts",),
        price="24.00",
        stock=80,
        fulfilment="both",
    ),
    Spec(
        "watermarked-paper-gift-set",
        "cartiera-artigiana-villa-basilica",
        "goods",
        "Villa Basilica",
        ("Cofanetto di carte filigranate", "Watermarked paper gift box"),
        (
            "Dieci fogli e buste con la filigrana delle Mura di Lucca.",
            "Ten sheets and envelopes watermarked with Lucca's Walls.",
        ),
        (
            "Carta da lettere fatta a mano, confezionata in scatola di cartone grigio.",
            "Hand-made writing paper, boxed in grey board.",
        ),
        themes=("crafts",),
        price="32.00",
        stock=40,
        fulfilment="shipping",
    ),
    # --- Bottega del Ferro (Porcari) ---
    Spec(
        "blacksmith-forging-class-porcari",
        "bottega-ferro-porcari",
        "experience",
        "Porcari",
        ("Corso di forgiatura", "Blacksmithing class"),
        (
            "Una mattina alla forgia: fuoco, incudine e il vostro primo attizzatoio.",
            "A morning at the forge: fire, anvil and your first poker.",
        ),
        (
            "Il maestro fabbro vi insegna a scaldare, battere e torcere il ferro. Grembiule, "
            "guanti e occhiali forniti; età minima 16 anni.",
            "The master smith teaches you to heat, hammer and twist iron. Apron, gloves and "
            "goggles provided; minimum age 16.",
        ),
        themes=("crafts",),
        price="90.00",
        times=(("6", "09:00"),),
        capacity=6,
        duration=240,
        max_pax=6,
    ),
    Spec(
        "wrought-iron-candle-holder",
        "bottega-ferro-porcari",
        "goods",
        "Porcari",
        ("Candeliere in ferro battuto", "Wrought-iron candle holder"),
        (
            "Forgiato a mano a Porcari, con ricciolo a foglia d'olivo.",
            "Hand-forged in Porcari, with an olive-leaf scroll.",
        ),
        ("Altezza 30 cm, finitura a cera d'api.", "30 cm high, beeswax finish."),
        themes=("crafts",),
        price="45.00",
        stock=25,
        fulfilment="both",
    ),
    Spec(
        "iron-christmas-market-porcari",
        "bottega-ferro-porcari",
        "experience",
        "Porcari",
        ("Natale in bottega", "Christmas at the forge"),
        (
            "Dimostrazioni di forgiatura e vin brulé nei sabati d'Avvento.",
            "Forging demonstrations and mulled wine on Advent Saturdays.",
        ),
        (
            "Inviato alla DMC per la revisione.",
            "Sent to the DMC for review.",
        ),
        themes=("crafts", "events"),
        price="8.00",
        times=(("6", "16:00"),),
        capacity=30,
        status=ProductStatus.SUBMITTED,
    ),
    # --- Ceramiche del Compitese (Capannori) ---
    Spec(
        "raku-ceramics-workshop",
        "ceramiche-compitese",
        "experience",
        "Capannori",
        ("Laboratorio di ceramica raku", "Raku ceramics workshop"),
        (
            "Smaltate una ciotola e cuocetela col metodo raku: fuoco, fumo e crepe d'oro.",
            "Glaze a bowl and fire it the raku way: fire, smoke and golden crackle.",
        ),
        (
            "Nello studio ai piedi del Monte Serra si sceglie il pezzo, si smalta e si assiste "
            "all'estrazione incandescente dal forno. Il pezzo si porta a casa.",
            "In the studio at the foot of Monte Serra you choose a piece, glaze it and watch "
            "it pulled red-hot from the kiln. You take it home.",
        ),
        themes=("crafts",),
        price="65.00",
        times=(("46", "15:00"),),
        capacity=8,
        duration=180,
        max_pax=8,
    ),
    Spec(
        "pottery-wheel-family-class",
        "ceramiche-compitese",
        "experience",
        "Capannori",
        ("Tornio per famiglie", "Pottery wheel for families"),
        (
            "Mani nell'argilla per grandi e piccoli, la domenica mattina.",
            "Hands in the clay for grown-ups and children, on Sunday mornings.",
        ),
        (
            "Un'ora e mezza al tornio con la ceramista; i pezzi vengono cotti e spediti.",
            "Ninety minutes at the wheel with the potter; pieces are fired and posted.",
        ),
        themes=("crafts",),
        price="40.00",
        times=(("7", "10:30"),),
        capacity=10,
        duration=90,
        child=(5, 14, "25.00"),
    ),
    Spec(
        "camellia-ceramic-bowl",
        "ceramiche-compitese",
        "goods",
        "Capannori",
        ("Ciotola con camelia", "Camellia ceramic bowl"),
        (
            "Dipinta a mano con la camelia di Sant'Andrea di Compito.",
            "Hand-painted with the camellia of Sant'Andrea di Compito.",
        ),
        ("Gres, diametro 14 cm, adatta alla lavastoviglie.", "Stoneware, 14 cm, dishwasher safe."),
        themes=("crafts",),
        price="38.00",
        stock=30,
        fulfilment="both",
    ),
    Spec(
        "ceramic-christmas-ornaments",
        "ceramiche-compitese",
        "goods",
        "Capannori",
        ("Decorazioni natalizie in ceramica", "Ceramic Christmas ornaments"),
        ("Sei stelle smaltate a mano.", "Six hand-glazed stars."),
        ("In revisione presso la DMC.", "Under review by the DMC."),
        themes=("crafts",),
        price="28.00",
        stock=50,
        fulfilment="pickup",
        status=ProductStatus.SUBMITTED,
    ),
    # --- Fattoria Il Colle del Teso (Montecarlo) ---
    Spec(
        "montecarlo-wine-tasting",
        "fattoria-del-teso",
        "experience",
        "Montecarlo",
        ("Degustazione di Montecarlo DOC", "Montecarlo DOC wine tasting"),
        (
            "Quattro vini biologici in cantina, con olio e pecorino delle colline.",
            "Four organic wines in the cellar, with olive oil and hill pecorino.",
        ),
        (
            "Visita della vigna e della barricaia, poi Montecarlo Bianco, Rosso, un Syrah in "
            "purezza e il vin santo, raccontati dal vignaiolo.",
            "A walk through the vineyard and barrel cellar, then Montecarlo Bianco, Rosso, a "
            "pure Syrah and vin santo, presented by the winemaker.",
        ),
        themes=("food-wine",),
        langs=("it", "en", "de"),
        price="30.00",
        meeting=(
            "Fattoria Il Colle del Teso, Via Poltroniera 9",
            "Fattoria Il Colle del Teso, Via Poltroniera 9",
        ),
        times=(("123456", "11:00"), ("123456", "17:00")),
        capacity=16,
        duration=90,
        child=(6, 17, "10.00"),
        senior="27.00",
        group=(12, "25.00"),
    ),
    Spec(
        "vineyard-walk-and-lunch-montecarlo",
        "fattoria-del-teso",
        "experience",
        "Montecarlo",
        ("Passeggiata in vigna e pranzo", "Vineyard walk and lunch"),
        (
            "Tra i filari fino alla Fortezza, poi pranzo contadino in fattoria.",
            "Between the rows up to the Fortress, then a farmhouse lunch.",
        ),
        (
            "Due ore di cammino panoramico e un pranzo con farro, tordelli e vino della casa.",
            "Two hours of panoramic walking and a lunch of spelt, tordelli and house wine.",
        ),
        themes=("food-wine", "nature-outdoor"),
        price="65.00",
        times=(("6", "10:30"),),
        capacity=14,
        duration=240,
        child=(6, 14, "30.00"),
    ),
    Spec(
        "montecarlo-wine-and-yoga",
        "fattoria-del-teso",
        "experience",
        "Montecarlo",
        ("Yoga in vigna", "Vineyard yoga"),
        ("Yoga all'alba e colazione.", "Sunrise yoga and breakfast."),
        ("Proposta in revisione.", "Proposal under review."),
        themes=("wellness",),
        price="35.00",
        times=(("7", "07:30"),),
        status=ProductStatus.REJECTED,
        reason=(
            "Mancano le foto e la descrizione inglese è una traduzione automatica: "
            "rivedetela e aggiungete l'istruttore."
        ),
    ),
    # --- Frantoio Sociale del Compitese (Capannori) ---
    Spec(
        "compitese-olive-mill-visit",
        "frantoio-compitese",
        "experience",
        "Capannori",
        ("Visita al frantoio del Compitese", "Compitese olive mill visit"),
        (
            "Dalla raccolta alla spremitura a freddo, con assaggio dell'olio nuovo.",
            "From harvest to cold pressing, with a tasting of the new oil.",
        ),
        (
            "Le colline del Compitese danno un olio fruttato e piccante. Vedete le olive "
            "frangere, imparate a riconoscere amaro e piccante e assaggiate su fettunta.",
            "The Compitese hills give a fruity, peppery oil. Watch the olives being crushed, "
            "learn to tell bitter from pungent and taste it on fettunta.",
        ),
        themes=("food-wine",),
        langs=("it", "en", "de"),
        price="15.00",
        times=((DAILY, "10:00"), (DAILY, "16:00")),
        capacity=20,
        duration=75,
        child=(6, 14, "5.00"),
        group=(20, "12.00"),
        free_every=20,
    ),
    Spec(
        "compitese-extra-virgin-olive-oil",
        "frantoio-compitese",
        "goods",
        "Capannori",
        ("Olio extravergine del Compitese", "Compitese extra-virgin olive oil"),
        (
            "Bottiglia da 0,75 l, frantoiano e leccino dell'ultima raccolta.",
            "0.75 l bottle, frantoio and leccino olives of the last harvest.",
        ),
        (
            "Estratto a freddo entro dodici ore dalla raccolta, filtrato, acidità sotto 0,3%.",
            "Cold-extracted within twelve hours of picking, filtered, acidity below 0.3%.",
        ),
        themes=("food-wine",),
        price="19.50",
        stock=200,
        fulfilment="both",
        vat="4.00",
    ),
    Spec(
        "olive-oil-tasting-course",
        "frantoio-compitese",
        "experience",
        "Capannori",
        ("Corso di assaggio dell'olio", "Olive oil tasting course"),
        (
            "Due ore con un assaggiatore professionista: difetti e pregi.",
            "Two hours with a professional taster: defects and virtues.",
        ),
        (
            "Bicchierini blu, sei oli a confronto e una scheda di valutazione da portare a casa.",
            "Blue tasting glasses, six oils compared and a scoring sheet to take home.",
        ),
        themes=("food-wine",),
        price="35.00",
        times=(("6", "16:00"),),
        capacity=16,
    ),
    # --- Pasticceria Il Buccellato (Lucca) ---
    Spec(
        "buccellato-pastry-class",
        "pasticceria-buccellato",
        "experience",
        "Lucca",
        ("Corso di buccellato", "Buccellato pastry class"),
        (
            "Il dolce di Lucca con uvetta e anice, impastato con i pasticceri.",
            "Lucca's raisin-and-aniseed sweet bread, kneaded with the bakers.",
        ),
        (
            "Nel laboratorio di via San Paolino impastate, formate e cuocete il vostro "
            "buccellato; mentre lievita, assaggiate la torta coi becchi.",
            "In the Via San Paolino bakery you knead, shape and bake your own buccellato; while "
            "it rises you taste the 'torta coi becchi'.",
        ),
        themes=("food-wine", "legends-traditions"),
        langs=("it", "en"),
        price="55.00",
        times=(("246", "09:30"),),
        capacity=10,
        duration=180,
        child=(8, 14, "35.00"),
    ),
    Spec(
        "buccellato-di-lucca",
        "pasticceria-buccellato",
        "goods",
        "Lucca",
        ("Buccellato di Lucca", "Buccellato of Lucca"),
        (
            "Mezzo chilo, sfornato ogni mattina, da ritirare in pasticceria.",
            "Half a kilo, baked every morning, to collect at the bakery.",
        ),
        (
            "Ricetta tradizionale con uvetta e semi d'anice; si conserva cinque giorni.",
            "Traditional recipe with raisins and aniseed; keeps five days.",
        ),
        themes=("food-wine",),
        price="14.00",
        stock=60,
        fulfilment="pickup",
        vat="10.00",
    ),
    Spec(
        "lucca-sweet-tasting-walk",
        "pasticceria-buccellato",
        "experience",
        "Lucca",
        ("Passeggiata dei dolci lucchesi", "Lucca sweets walk"),
        (
            "Buccellato, torta coi becchi, cecina e caffè in quattro botteghe storiche.",
            "Buccellato, torta coi becchi, cecina and coffee in four historic shops.",
        ),
        (
            "Un percorso goloso dentro le Mura, con la storia di ciascun dolce.",
            "A sweet route inside the Walls, with the story of each treat.",
        ),
        themes=("food-wine",),
        price="32.00",
        times=(("5", "16:00"),),
        capacity=12,
    ),
    # --- Cantina Colle Rosso (Montecarlo) ---
    Spec(
        "montecarlo-doc-wine-box",
        "cantina-montecarlo-rossi",
        "goods",
        "Montecarlo",
        ("Cassetta Montecarlo DOC", "Montecarlo DOC wine box"),
        (
            "Sei bottiglie: tre Montecarlo Bianco e tre Montecarlo Rosso.",
            "Six bottles: three Montecarlo Bianco and three Montecarlo Rosso.",
        ),
        (
            "I vini della piccola cantina di famiglia, in cassetta di legno, spedizione in Italia "
            "e nell'Unione europea.",
            "The family winery's wines in a wooden case, shipped within Italy and the EU.",
        ),
        themes=("food-wine",),
        price="72.00",
        stock=45,
        fulfilment="shipping",
    ),
    Spec(
        "vin-santo-cellar-tasting",
        "cantina-montecarlo-rossi",
        "experience",
        "Montecarlo",
        ("Vin santo in vinsantaia", "Vin santo in the drying loft"),
        (
            "I caratelli, le uve appassite e tre annate di vin santo a confronto.",
            "The small casks, the drying grapes and three vintages of vin santo.",
        ),
        (
            "Nel sottotetto della cantina, il vignaiolo spiega l'appassimento e apre tre annate.",
            "In the winery's loft the winemaker explains the drying and opens three vintages.",
        ),
        themes=("food-wine",),
        price="25.00",
        times=(("56", "18:00"),),
        capacity=12,
        duration=75,
    ),
    Spec(
        "montecarlo-rosso-magnum",
        "cantina-montecarlo-rossi",
        "goods",
        "Montecarlo",
        ("Montecarlo Rosso magnum", "Montecarlo Rosso magnum"),
        ("Un magnum da 1,5 l della riserva di famiglia.", "A 1.5 l magnum of the family reserve."),
        ("Sangiovese, canaiolo e syrah; 18 mesi in botte.", "Sangiovese, canaiolo and syrah."),
        themes=("food-wine",),
        price="48.00",
        stock=20,
        fulfilment="both",
    ),
    # --- Villa delle Camelie Eventi (Capannori) ---
    Spec(
        "camellia-garden-visit-sant-andrea",
        "villa-delle-camelie-eventi",
        "experience",
        "Capannori",
        ("Il giardino delle camelie", "The camellia garden"),
        (
            "Camelie ottocentesche a Sant'Andrea di Compito, con tè della Camelietea.",
            "Nineteenth-century camellias at Sant'Andrea di Compito, with local camellia tea.",
        ),
        (
            "Visita del giardino storico, del camelieto e della piantagione di tè, l'unica in "
            "Italia, con degustazione.",
            "A visit of the historic garden, the camellia grove and Italy's only tea "
            "plantation, with a tasting.",
        ),
        themes=("nature-outdoor", "culture"),
        price="14.00",
        times=((WEEKEND, "10:00"), (WEEKEND, "15:00")),
        capacity=25,
        duration=90,
        child=(6, 14, "7.00"),
    ),
    Spec(
        "villa-camelie-wedding-venue",
        "villa-delle-camelie-eventi",
        "service",
        "Capannori",
        ("Matrimonio in villa", "Villa wedding venue"),
        (
            "Giardino all'italiana e limonaia per cerimonie fino a 150 ospiti.",
            "Italian garden and lemon house for ceremonies of up to 150 guests.",
        ),
        (
            "Uso esclusivo della villa per la giornata, con coordinatrice e fornitori consigliati.",
            "Exclusive use of the villa for the day, with a coordinator and recommended suppliers.",
        ),
        themes=("weddings", "events"),
        price="3500.00",
        times=(("6", "11:00"),),
        capacity=1,
        duration=600,
        per_unit=True,
        max_pax=150,
    ),
    Spec(
        "villa-camelie-garden-yoga",
        "villa-delle-camelie-eventi",
        "experience",
        "Capannori",
        ("Yoga tra le camelie", "Yoga among the camellias"),
        (
            "Hatha yoga all'aperto e tè verde del Compitese.",
            "Outdoor hatha yoga and Compitese green tea.",
        ),
        (
            "Un'ora e mezza di pratica con un'insegnante certificata; tappetini forniti.",
            "Ninety minutes of practice with a certified teacher; mats provided.",
        ),
        themes=("wellness", "nature-outdoor"),
        price="25.00",
        times=(("7", "09:00"),),
        capacity=15,
        duration=90,
    ),
    # --- Palazzo dei Mercanti (Lucca) ---
    Spec(
        "frescoed-hall-meeting-hire",
        "palazzo-dei-mercanti",
        "service",
        "Lucca",
        ("Sala affrescata per riunioni", "Frescoed meeting hall"),
        (
            "Sala da 80 posti con videoproiettore, nel centro di Lucca.",
            "An 80-seat hall with projector, in the centre of Lucca.",
        ),
        (
            "Mezza giornata di uso esclusivo, wifi, coffee break su richiesta.",
            "Half a day of exclusive use, wifi, coffee break on request.",
        ),
        themes=("mice",),
        price="900.00",
        times=(("12345", "09:00"), ("12345", "14:00")),
        capacity=1,
        duration=240,
        per_unit=True,
        max_pax=80,
    ),
    Spec(
        "gala-dinner-palazzo-mercanti",
        "palazzo-dei-mercanti",
        "service",
        "Lucca",
        ("Cena di gala a Palazzo", "Gala dinner at the Palazzo"),
        (
            "Cena di quattro portate nel salone affrescato, con quartetto d'archi.",
            "A four-course dinner in the frescoed hall, with a string quartet.",
        ),
        (
            "Per gruppi da 30 a 120 ospiti, menu lucchese e vini della Piana.",
            "For groups of 30 to 120 guests, Lucca menu and wines of the Piana.",
        ),
        themes=("mice", "events", "food-wine"),
        price="85.00",
        times=(("6", "20:00"),),
        capacity=120,
        duration=180,
        min_pax=30,
        max_pax=120,
        group=(60, "75.00"),
    ),
    # --- Auditorium di Porcari (Porcari) ---
    Spec(
        "auditorium-porcari-conference-hire",
        "teatro-porcari",
        "service",
        "Porcari",
        ("Auditorium per convegni", "Conference auditorium"),
        (
            "300 posti, regia audio-video e foyer per il catering.",
            "300 seats, audio-video control room and a foyer for catering.",
        ),
        (
            "Giornata intera con tecnico, a cinque minuti dal casello dell'A11.",
            "A full day with a technician, five minutes from the A11 motorway exit.",
        ),
        themes=("mice",),
        price="1200.00",
        times=(("12345", "08:30"),),
        capacity=1,
        duration=600,
        per_unit=True,
        max_pax=300,
    ),
    Spec(
        "porcari-puccini-concert",
        "teatro-porcari",
        "experience",
        "Porcari",
        ("Concerto pucciniano", "Puccini concert"),
        (
            "Soprano, tenore e pianoforte: le arie di Bohème, Tosca e Turandot.",
            "Soprano, tenor and piano: arias from Bohème, Tosca and Turandot.",
        ),
        (
            "Un'ora di musica nell'auditorium, il sabato sera.",
            "An hour of music in the auditorium, on Saturday evenings.",
        ),
        themes=("events", "culture"),
        price="20.00",
        times=(("6", "21:00"),),
        capacity=300,
        duration=70,
        child=(6, 14, "10.00"),
        senior="15.00",
    ),
    # --- Lucca Bike Rental (Lucca) ---
    Spec(
        "lucca-bike-rental-day",
        "lucca-bike-rental",
        "service",
        "Lucca",
        ("Noleggio bici giornaliero", "Day bike rental"),
        (
            "City bike con lucchetto e cestino, per le Mura e la ciclovia del Serchio.",
            "City bike with lock and basket, for the Walls and the Serchio cycle path.",
        ),
        (
            "Ritiro dalle 9 in piazza Santa Maria, riconsegna entro le 19; caschi per bambini "
            "e seggiolini disponibili.",
            "Pick up from 9am in Piazza Santa Maria, return by 7pm; children's helmets and "
            "seats available.",
        ),
        themes=("cycling",),
        price="15.00",
        times=((DAILY, "09:00"),),
        capacity=40,
        duration=600,
        per_unit=True,
        max_pax=1,
    ),
    Spec(
        "lucca-ebike-rental-day",
        "lucca-bike-rental",
        "service",
        "Lucca",
        ("Noleggio e-bike giornaliero", "Day e-bike rental"),
        (
            "E-bike a pedalata assistita con batteria da 80 km.",
            "Pedal-assist e-bike with an 80 km battery.",
        ),
        (
            "Ideale per salire a Montecarlo o alle ville lucchesi.",
            "Ideal for climbing to Montecarlo or to the Lucca villas.",
        ),
        themes=("cycling",),
        price="30.00",
        times=((DAILY, "09:00"),),
        capacity=15,
        duration=600,
        per_unit=True,
        max_pax=1,
    ),
    Spec(
        "lucca-walls-bike-tour",
        "lucca-bike-rental",
        "experience",
        "Lucca",
        ("Le Mura e le ville in bici", "Walls and villas by bike"),
        (
            "Giro delle Mura e poi fuori porta verso le ville lucchesi.",
            "A lap of the Walls, then out to the Lucca villas.",
        ),
        (
            "Tre ore in bicicletta con guida, bici inclusa, per tutti i livelli.",
            "Three hours with a guide, bike included, for every level.",
        ),
        themes=("cycling", "culture"),
        price="35.00",
        times=((DAILY, "10:00"),),
        capacity=12,
        duration=180,
        child=(8, 14, "25.00"),
    ),
    Spec(
        "lucca-walls-sunset-run",
        "lucca-bike-rental",
        "experience",
        "Lucca",
        ("Corsa al tramonto sulle Mura", "Sunset run on the Walls"),
        ("Bozza.", "Draft."),
        ("", ""),
        themes=("wellness",),
        price="12.00",
        times=(("3", "19:00"),),
        status=ProductStatus.DRAFT,
    ),
    # --- Transfer Piana NCC (Porcari) ---
    Spec(
        "airport-transfer-pisa-lucca",
        "transfer-piana-ncc",
        "service",
        "Porcari",
        ("Transfer aeroporto di Pisa–Lucca", "Pisa airport to Lucca transfer"),
        (
            "Minivan con autista fino a 8 passeggeri, attesa inclusa.",
            "Chauffeured minivan for up to 8 passengers, waiting time included.",
        ),
        (
            "Dall'aeroporto Galilei a qualsiasi indirizzo della Piana di Lucca; monitoraggio del "
            "volo e cartello col nome.",
            "From Galilei airport to any address in the Piana di Lucca; flight tracking and a "
            "name sign.",
        ),
        themes=("mice",),
        price="75.00",
        times=((DAILY, "08:00"), (DAILY, "12:00"), (DAILY, "16:00"), (DAILY, "20:00")),
        capacity=3,
        duration=60,
        per_unit=True,
        max_pax=8,
    ),
    Spec(
        "airport-transfer-florence-lucca",
        "transfer-piana-ncc",
        "service",
        "Porcari",
        ("Transfer aeroporto di Firenze–Lucca", "Florence airport to Lucca transfer"),
        (
            "Berlina o minivan dall'aeroporto Vespucci.",
            "Sedan or minivan from Vespucci airport.",
        ),
        ("Un'ora di viaggio, pedaggi inclusi.", "One hour's drive, tolls included."),
        themes=("mice",),
        price="160.00",
        times=((DAILY, "10:00"), (DAILY, "18:00")),
        capacity=2,
        duration=75,
        per_unit=True,
        max_pax=8,
    ),
    Spec(
        "wine-tour-chauffeur-montecarlo",
        "transfer-piana-ncc",
        "service",
        "Montecarlo",
        ("Autista per il tour del vino", "Chauffeur for a wine tour"),
        (
            "Mezza giornata tra le cantine di Montecarlo senza pensieri.",
            "Half a day among the Montecarlo wineries, carefree.",
        ),
        (
            "L'autista vi aspetta a ogni cantina e vi riporta in hotel.",
            "The driver waits at each winery and takes you back to your hotel.",
        ),
        themes=("food-wine",),
        price="220.00",
        times=((DAILY, "14:00"),),
        capacity=2,
        duration=240,
        per_unit=True,
        max_pax=8,
    ),
    # --- Francigena Bike Altopascio (Altopascio) ---
    Spec(
        "francigena-ebike-rental",
        "francigena-bike-altopascio",
        "service",
        "Altopascio",
        ("Noleggio e-bike sulla Francigena", "Francigena e-bike rental"),
        (
            "E-bike da trekking con borse, riconsegna anche a Lucca.",
            "Trekking e-bike with panniers, one-way return to Lucca possible.",
        ),
        (
            "Bici tarate per lo sterrato della Francigena, kit riparazione e assistenza "
            "telefonica.",
            "Bikes set up for the Francigena's gravel, with repair kit and phone support.",
        ),
        themes=("cycling", "nature-outdoor"),
        langs=("it", "en", "de", "fr"),
        price="35.00",
        times=((DAILY, "09:00"),),
        capacity=15,
        duration=600,
        per_unit=True,
        max_pax=1,
    ),
    Spec(
        "francigena-luggage-transfer",
        "francigena-bike-altopascio",
        "service",
        "Altopascio",
        ("Trasporto bagagli sulla Francigena", "Francigena luggage transfer"),
        (
            "Il vostro bagaglio alla tappa successiva, da Altopascio a Lucca o San Miniato.",
            "Your luggage to the next stage, from Altopascio to Lucca or San Miniato.",
        ),
        (
            "Ritiro entro le 8:30, consegna entro le 16 alla struttura indicata.",
            "Collected by 8:30am, delivered by 4pm to your next stay.",
        ),
        themes=("cycling", "nature-outdoor"),
        price="10.00",
        times=((DAILY, "08:00"),),
        capacity=30,
        duration=480,
    ),
    Spec(
        "francigena-ebike-tour-altopascio",
        "francigena-bike-altopascio",
        "experience",
        "Altopascio",
        ("Francigena in e-bike", "Francigena by e-bike"),
        (
            "Da Altopascio a Lucca in e-bike con una guida, ritorno in treno.",
            "From Altopascio to Lucca by e-bike with a guide, back by train.",
        ),
        (
            "Quaranta chilometri facili sulla via dei pellegrini, con sosta alla Badia di "
            "Pozzeveri.",
            "Forty easy kilometres on the pilgrims' road, with a stop at the Pozzeveri abbey.",
        ),
        themes=("cycling", "culture"),
        price="55.00",
        times=(("6", "09:30"),),
        capacity=10,
        duration=300,
    ),
    # --- Accommodation ---
    Spec(
        "hotel-san-frediano",
        "hotel-san-frediano",
        "accommodation",
        "Lucca",
        ("Hotel San Frediano", "Hotel San Frediano"),
        (
            "Tre stelle in un palazzo del Settecento, a due passi dalla basilica.",
            "Three stars in an eighteenth-century palazzo, steps from the basilica.",
        ),
        (
            "Camere con soffitti a cassettoni, colazione con torta coi becchi, biciclette per "
            "gli ospiti. Zona a traffico limitato: parcheggio convenzionato fuori Porta.",
            "Rooms with coffered ceilings, breakfast with 'torta coi becchi', bikes for guests. "
            "Limited-traffic zone: partner car park outside the gate.",
        ),
        themes=("culture",),
        langs=("it", "en", "de", "fr"),
        category="hotel_3",
        vat="10.00",
        units=(
            Unit("Camera doppia", "Double room", 12, "120.00", 2, 3, 1),
            Unit("Camera singola", "Single room", 4, "80.00", 1, 1, 0),
        ),
    ),
    Spec(
        "bb-le-mura",
        "bb-le-mura",
        "accommodation",
        "Lucca",
        ("B&B Le Mura", "B&B Le Mura"),
        (
            "Quattro camere con vista sui bastioni.",
            "Four rooms overlooking the ramparts.",
        ),
        (
            "Colazione con dolci fatti in casa; nei fine settimana soggiorno minimo due notti.",
            "Breakfast with home-made cakes; two-night minimum stay at weekends.",
        ),
        themes=("culture",),
        category="bnb",
        vat="10.00",
        units=(Unit("Camera doppia", "Double room", 4, "95.00", 2, 2, 0),),
    ),
    Spec(
        "agriturismo-colle-verde",
        "agriturismo-colle-verde",
        "accommodation",
        "Montecarlo",
        ("Agriturismo Colle Verde", "Agriturismo Colle Verde"),
        (
            "Tra vigne e ulivi, piscina panoramica sulla Piana.",
            "Among vineyards and olive groves, with a view pool over the plain.",
        ),
        (
            "Camere e appartamenti in un casale restaurato a un chilometro da Montecarlo; "
            "in luglio e agosto soggiorno minimo tre notti.",
            "Rooms and apartments in a restored farmhouse a kilometre from Montecarlo; "
            "three-night minimum stay in July and August.",
        ),
        themes=("food-wine", "nature-outdoor"),
        langs=("it", "en", "de"),
        category="agriturismo",
        vat="10.00",
        units=(
            Unit("Camera doppia", "Double room", 6, "110.00", 2, 2, 0),
            Unit("Appartamento", "Apartment", 3, "160.00", 2, 4, 2, 2),
        ),
    ),
    Spec(
        "villa-camelie-country-house",
        "villa-camelie-country-house",
        "accommodation",
        "Capannori",
        ("Villa delle Camelie Country House", "Villa delle Camelie Country House"),
        (
            "Dimora ottocentesca nel borgo delle camelie.",
            "A nineteenth-century residence in the camellia village.",
        ),
        (
            "Appartamenti e camere nel parco; chiusa a gennaio per la potatura delle camelie.",
            "Apartments and rooms in the park; closed in January while the camellias are pruned.",
        ),
        themes=("nature-outdoor", "weddings"),
        category="country_house",
        vat="10.00",
        units=(
            Unit("Camera doppia", "Double room", 5, "130.00", 2, 3, 1),
            Unit("Appartamento", "Apartment", 2, "190.00", 2, 4, 2, 2),
        ),
    ),
    Spec(
        "ostello-della-francigena",
        "ostello-francigena-altopascio",
        "accommodation",
        "Altopascio",
        ("Ostello della Francigena", "Francigena Hostel"),
        (
            "Ostello per pellegrini e ciclisti, con deposito bici.",
            "A hostel for pilgrims and cyclists, with bike storage.",
        ),
        (
            "Camere private e camerate, cucina comune, timbro per la credenziale.",
            "Private rooms and dormitories, shared kitchen, stamp for the pilgrim passport.",
        ),
        themes=("cycling", "nature-outdoor"),
        langs=("it", "en", "fr"),
        category="hostel",
        vat="10.00",
        units=(
            Unit("Camera privata", "Private room", 6, "60.00", 2, 2, 1),
            Unit("Letto in camerata", "Bed in dormitory", 20, "25.00", 1, 1, 0),
        ),
    ),
    Spec(
        "colle-verde-cooking-class",
        "agriturismo-colle-verde",
        "experience",
        "Montecarlo",
        ("Cucina toscana in agriturismo", "Tuscan cooking at the farm"),
        (
            "Tordelli lucchesi e zuppa di farro con la cuoca di casa.",
            "Lucca tordelli and spelt soup with the farm's cook.",
        ),
        (
            "Si cucina insieme e si cena con i vini della fattoria.",
            "You cook together and dine with the farm's wines.",
        ),
        themes=("food-wine",),
        price="70.00",
        times=(("3", "17:00"),),
        capacity=12,
        duration=210,
        child=(8, 14, "40.00"),
    ),
    Spec(
        "ostello-pilgrim-dinner",
        "ostello-francigena-altopascio",
        "experience",
        "Altopascio",
        ("Cena del pellegrino", "Pilgrim's dinner"),
        (
            "Zuppa, pane di Altopascio e vino alla tavola comune.",
            "Soup, Altopascio bread and wine at the common table.",
        ),
        (
            "Il pane di Altopascio, famoso dal Medioevo, con la cena dei pellegrini.",
            "Altopascio bread, famous since the Middle Ages, at the pilgrims' dinner.",
        ),
        themes=("food-wine", "legends-traditions"),
        price="15.00",
        times=((DAILY, "19:30"),),
        capacity=30,
        duration=90,
    ),
    Spec(
        "hotel-san-frediano-aperitivo-walls",
        "hotel-san-frediano",
        "experience",
        "Lucca",
        ("Aperitivo sulle Mura", "Aperitivo on the Walls"),
        (
            "Cestino con vino di Montecarlo e stuzzichini, da gustare sul baluardo.",
            "A basket of Montecarlo wine and snacks, to enjoy on the bastion.",
        ),
        (
            "Il cestino si ritira in hotel alle 18:30; coperta inclusa.",
            "Collect the basket at the hotel at 6.30pm; blanket included.",
        ),
        themes=("food-wine",),
        price="28.00",
        times=((DAILY, "18:30"),),
        capacity=10,
        duration=90,
    ),
    Spec(
        "bb-le-mura-home-made-jam",
        "bb-le-mura",
        "goods",
        "Lucca",
        ("Marmellata di fichi del B&B", "B&B fig jam"),
        ("Fichi dell'orto dentro le Mura.", "Figs from the garden inside the Walls."),
        ("Vasetto da 250 g.", "250 g jar."),
        themes=("food-wine",),
        price="7.50",
        stock=35,
        fulfilment="pickup",
        vat="10.00",
    ),
    Spec(
        "villa-camelie-tea-tasting",
        "villa-camelie-country-house",
        "experience",
        "Capannori",
        ("Tè delle camelie", "Camellia tea tasting"),
        (
            "Tè verde e nero della piantagione di Sant'Andrea di Compito.",
            "Green and black tea from the Sant'Andrea di Compito plantation.",
        ),
        (
            "Degustazione in serra con biscotti al tè.",
            "A tasting in the greenhouse with tea biscuits.",
        ),
        themes=("food-wine", "wellness"),
        price="18.00",
        times=((WEEKEND, "16:30"),),
        capacity=14,
        duration=60,
    ),
    Spec(
        "montecarlo-fortress-evening-tour",
        "lucca-guide-autorizzate",
        "experience",
        "Montecarlo",
        ("Montecarlo e la sua Fortezza", "Montecarlo and its Fortress"),
        (
            "Il borgo murato, il Teatro dei Rassicurati e la Fortezza del Cerruglio.",
            "The walled village, the Teatro dei Rassicurati and the Cerruglio Fortress.",
        ),
        (
            "Passeggiata serale nel borgo con aperitivo in enoteca.",
            "An evening walk through the village with an aperitivo in a wine bar.",
        ),
        themes=("culture", "food-wine"),
        price="26.00",
        times=(("5", "18:00"),),
        capacity=20,
    ),
    Spec(
        "capannori-villas-and-aqueduct",
        "lucca-guide-autorizzate",
        "experience",
        "Capannori",
        ("Ville lucchesi e acquedotto del Nottolini", "Lucca villas and the Nottolini aqueduct"),
        (
            "Le 459 arcate dell'acquedotto e una villa con giardino storico.",
            "The aqueduct's 459 arches and a villa with a historic garden.",
        ),
        (
            "Mezza giornata in minibus e a piedi, ingresso alla villa incluso.",
            "Half a day by minibus and on foot, villa admission included.",
        ),
        themes=("culture",),
        price="45.00",
        times=(("4", "09:00"),),
        capacity=16,
        duration=240,
    ),
]


# --- helpers --------------------------------------------------------------------------------


def _policies() -> tuple[CancellationPolicy, CancellationPolicy]:
    standard, _ = CancellationPolicy.objects.update_or_create(
        name="DMC standard",
        organisation=None,
        defaults={
            "description": (
                "More than 30 days before: free. 30 to 8 days: 30%. 7 to 2 days: 50%. "
                "Less than 2 days or no-show: 100%."
            )
        },
    )
    strict, _ = CancellationPolicy.objects.update_or_create(
        name="DMC accommodation (strict)",
        organisation=None,
        defaults={
            "description": (
                "More than 60 days before: free. 60 to 31 days: 30%. 30 to 15 days: 60%. "
                "14 days or less: 100%."
            )
        },
    )
    for policy, tiers in (
        (standard, [(30, "30"), (7, "50"), (1, "100")]),
        (strict, [(60, "30"), (30, "60"), (14, "100")]),
    ):
        for days, percent in tiers:
            CancellationTier.objects.update_or_create(
                policy=policy, days_before=days, defaults={"penalty_percent": D(percent)}
            )
    return standard, strict


def _high_season(today: date) -> tuple[date, date]:
    year = today.year if today <= date(today.year, 10, 31) else today.year + 1
    return max(date(year, 4, 1), today), date(year, 10, 31)


def _rates(product: Product, spec: Spec, organisation, unit_types: list, today: date) -> None:
    if product.rates.exists():
        return

    def rate(**data):
        data.setdefault("net_price", None)
        services.rate_save(product=product, data=data, by_operator=False)

    if spec.kind == "accommodation":
        start, end = _high_season(today)
        season = services.season_save(
            product=product, data={"name": "Alta stagione", "start_date": start, "end_date": end}
        )
        for unit_type, unit in unit_types:
            price = D(unit.price)
            rate(unit_type=unit_type, pax_category="unit", retail_price=price)
            rate(
                unit_type=unit_type,
                season=season,
                pax_category="unit",
                retail_price=money(price * D("1.25")),
            )
            if unit.max > unit.standard:
                rate(unit_type=unit_type, pax_category="adult", retail_price=D("30.00"))
        return
    category = "unit" if spec.per_unit or spec.kind == "goods" else "adult"
    # The standard price ends where the group band begins: overlapping rates are refused.
    band = {"max_group": spec.group[0] - 1} if spec.group else {}
    rate(pax_category=category, retail_price=D(spec.price), **band)
    if spec.child:
        low, high, price = spec.child
        rate(pax_category="child", age_min=low, age_max=high, retail_price=D(price))
        rate(pax_category="infant", age_min=0, age_max=low - 1, retail_price=D("0.00"))
    if spec.senior:
        rate(pax_category="senior", age_min=65, retail_price=D(spec.senior))
    if spec.group:
        size, price = spec.group
        rate(pax_category=category, min_group=size, retail_price=D(price))


def _inventory(product: Product, spec: Spec, today: date) -> list:
    unit_types = []
    if spec.kind in ("experience", "service"):
        for weekdays, at in spec.times:
            hh, mm = (int(x) for x in at.split(":"))
            ScheduleRule.objects.get_or_create(
                product=product,
                weekdays=weekdays,
                start_time=time(hh, mm),
                defaults={
                    "duration_minutes": spec.duration,
                    "capacity": spec.capacity,
                    "valid_from": today,
                },
            )
        services.slots_generate(product=product, start=today)
        # Closed on Christmas Day and New Year's Day, as most operators are.
        product.slots.filter(
            Q(date__month=12, date__day=25) | Q(date__month=1, date__day=1)
        ).update(status="closed", note="Festività")
    elif spec.kind == "accommodation":
        for unit in spec.units:
            unit_type = UnitType.objects.filter(product=product, name_en=unit.name_en).first()
            if unit_type is None:
                unit_type = services.unit_type_save(
                    product=product,
                    data={
                        "name_it": unit.name_it,
                        "name_en": unit.name_en,
                        "units": unit.units,
                        "standard_occupancy": unit.standard,
                        "max_occupancy": unit.max,
                        "max_children": unit.children,
                        "min_stay": unit.min_stay,
                    },
                    generate=False,
                )
            services.nights_generate(unit_type=unit_type, start=today)
            unit_types.append((unit_type, unit))
        _restrictions(product, [u for u, _ in unit_types], today)
    else:
        GoodsStock.objects.get_or_create(product=product, defaults={"quantity": spec.stock})
    return unit_types


def _restrictions(product: Product, unit_types: list, today: date) -> None:
    """Credible calendars: weekend minimum stays, summer minimums, closures, no Sunday
    arrivals."""
    nights = NightInventory.objects.filter(unit_type__in=unit_types, date__gte=today)
    if product.slug == "bb-le-mura":
        nights.filter(date__week_day__in=[6, 7]).update(min_stay=2)  # Friday, Saturday
    elif product.slug == "agriturismo-colle-verde":
        nights.filter(date__month__in=[7, 8]).update(min_stay=3)
    elif product.slug == "villa-camelie-country-house":
        nights.filter(date__month=1, date__day__gte=7).update(closed=True)
    elif product.slug == "hotel-san-frediano":
        nights.filter(date__week_day=1).update(closed_to_arrival=True)  # Sunday


def _coords(comune: Comune, index: int) -> tuple[Decimal | None, Decimal | None]:
    if comune.latitude is None:
        return None, None
    offset = D((index * 37) % 40 - 20) / D("2000")
    return (
        (comune.latitude + offset).quantize(D("0.000001")),
        (comune.longitude - offset).quantize(D("0.000001")),
    )


PHOTO_SLUGS = {
    "lucca-walls-guided-tour": ((232, 196, 150), (85, 101, 43), "Le Mura di Lucca"),
    "puccini-lucca-walk": ((240, 214, 170), (132, 52, 32), "Puccini"),
    "montecarlo-wine-tasting": ((245, 222, 179), (110, 40, 60), "Montecarlo DOC"),
    "compitese-olive-mill-visit": ((226, 232, 200), (85, 101, 43), "Olio del Compitese"),
    "hotel-san-frediano": ((238, 226, 206), (168, 68, 42), "Hotel San Frediano"),
    "villa-basilica-paper-workshop": ((240, 236, 222), (120, 110, 90), "Carta a mano"),
}


def _demo_photo(sky, land, caption: str):
    """A simple painted landscape (no downloads): sky, three hills, a caption."""
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", (1200, 800), sky)
    draw = ImageDraw.Draw(img)
    for i, (height, shade) in enumerate(((470, 0), (540, 25), (620, 50))):
        colour = tuple(max(0, c - shade) for c in land)
        points = [(x, height + int(60 * ((x / 300 + i) % 2 - 1) ** 2)) for x in range(0, 1201, 50)]
        draw.polygon([(0, 800), *points, (1200, 800)], fill=colour)
    draw.ellipse((900, 110, 1010, 220), fill=(250, 236, 200))
    font = ImageFont.load_default(size=64)
    draw.text((60, 60), caption, fill=(36, 33, 29), font=font)
    out = BytesIO()
    img.save(out, format="JPEG", quality=80)
    return SimpleUploadedFile("demo.jpg", out.getvalue(), content_type="image/jpeg")


def _photos(product: Product) -> None:
    spec = PHOTO_SLUGS.get(product.slug)
    if spec is None or product.photos.exists():
        return
    sky, land, caption = spec
    upload = _demo_photo(sky, land, caption)
    photo_validate(upload)
    # Made directly (not with services.photo_add): seeding is not an edit to review.
    photo = ProductPhoto(product=product, alt_text=caption, position=1)
    photo.image.save(f"{product.slug}.jpg", upload, save=False)
    photo.thumbnail.save(f"{product.slug}-thumb.jpg", thumbnail_for(upload), save=False)
    photo.full_clean()
    photo.save()


def seed(context: dict) -> None:
    today = timezone.localdate()
    standard, strict = _policies()
    organisations = {
        o.slug: o for o in Organisation.objects.filter(slug__in={s.org for s in SPECS})
    }
    for i, slug in enumerate(sorted(organisations)):
        OperatorContract.objects.update_or_create(
            organisation=organisations[slug],
            defaults={
                "commission_percent": D(15 + (i * 7) % 11),
                "valid_from": date(today.year, 1, 1),
                "signed_at": date(today.year - 1, 12, 1),
            },
        )
    comuni = {c.name: c for c in Comune.objects.all()}
    themes = {t.slug: t for t in Theme.objects.all()}
    languages = {lang.code: lang for lang in Language.objects.all()}
    dmc_actor = None
    from accounts.models import User

    dmc_actor = User.objects.filter(email="prodotto@pianadilucca.example").first()
    made = 0
    for index, spec in enumerate(SPECS):
        organisation = organisations[spec.org]
        comune = comuni[spec.comune]
        lat, lng = _coords(comune, index)
        fields = {
            "organisation": organisation,
            "kind": spec.kind,
            "status": spec.status,
            "rejection_reason": spec.reason,
            "title": spec.title[0],
            "title_it": spec.title[0],
            "title_en": spec.title[1],
            "summary_it": spec.summary[0],
            "summary_en": spec.summary[1],
            "description_it": spec.description[0],
            "description_en": spec.description[1],
            "comune": comune,
            "address": organisation.address,
            "latitude": lat,
            "longitude": lng,
            "vat_rate": D(spec.vat),
            "cancellation_policy": strict if spec.kind == "accommodation" else standard,
            "duration_minutes": spec.duration if spec.kind in ("experience", "service") else None,
            "min_pax": spec.min_pax,
            "max_pax": spec.max_pax,
            "pricing_unit": "per_unit" if spec.per_unit else "per_person",
            "free_place_every": spec.free_every,
            "accommodation_category": spec.category,
            "fulfilment": spec.fulfilment,
            "check_in_time": time(14, 0) if spec.kind == "accommodation" else None,
            "check_out_time": time(10, 30) if spec.kind == "accommodation" else None,
            "published_at": timezone.now() if spec.status == ProductStatus.PUBLISHED else None,
            "submitted_at": timezone.now() if spec.status != ProductStatus.DRAFT else None,
        }
        if spec.meeting:
            fields["meeting_point_it"], fields["meeting_point_en"] = spec.meeting
        elif spec.kind in ("experience", "service"):
            fields["meeting_point_it"] = fields["meeting_point_en"] = organisation.address
        if spec.kind in ("experience", "service"):
            fields["inclusions_it"], fields["inclusions_en"] = _INCLUDED.get(spec.kind, ("", ""))
        for key, (it, en) in spec.extra.items():
            fields[f"{key}_it"], fields[f"{key}_en"] = it, en
        product, created = Product.objects.update_or_create(slug=spec.slug, defaults=fields)
        product.full_clean()
        product.themes.set([themes[t] for t in spec.themes])
        product.languages.set([languages[code] for code in spec.langs])
        unit_types = _inventory(product, spec, today)
        _rates(product, spec, organisation, unit_types, today)
        _photos(product)
        if created:
            made += 1
            _history(product, spec, dmc_actor)
    context["operators"] = {"products": len(SPECS), "new": made}


_INCLUDED = {
    "experience": (
        "Guida o maestro artigiano, materiali, assicurazione.",
        "Guide or craftsperson, materials, insurance.",
    ),
    "service": ("Servizio come descritto, IVA.", "The service as described, VAT."),
}


def _history(product: Product, spec: Spec, dmc_actor) -> None:
    """Curation events that explain the demo statuses on the desk."""
    steps = {
        ProductStatus.DRAFT: [],
        ProductStatus.SUBMITTED: [("draft", "submitted")],
        ProductStatus.APPROVED: [("draft", "submitted"), ("submitted", "approved")],
        ProductStatus.REJECTED: [("draft", "submitted"), ("submitted", "rejected")],
        ProductStatus.PUBLISHED: [
            ("draft", "submitted"),
            ("submitted", "approved"),
            ("approved", "published"),
        ],
    }[spec.status]
    CurationEvent.objects.bulk_create(
        [
            CurationEvent(
                product=product,
                from_status=frm,
                to_status=to,
                actor=dmc_actor if to != "submitted" else None,
                reason=spec.reason if to == "rejected" else "",
            )
            for frm, to in steps
        ]
    )


def demo_slugs() -> list[str]:
    return [s.slug for s in SPECS]
