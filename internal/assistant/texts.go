package assistant

import "strings"

// text is one message of the assistant in each of its languages. The
// assistant's text lives here rather than in internal/i18n because the
// shared catalogs do not have German.
type text struct{ en, da, nl, sv, de string }

// in returns t in lang with its placeholders ({order}, {card}, ...) filled
// from pairs of name and value.
func (t text) in(lang Lang, pairs ...string) string {
	var s string
	switch lang {
	case Danish:
		s = t.da
	case Dutch:
		s = t.nl
	case Swedish:
		s = t.sv
	case German:
		s = t.de
	default:
		s = t.en
	}
	if len(pairs) == 0 {
		return s
	}
	old := make([]string, 0, len(pairs))
	for i := 0; i+1 < len(pairs); i += 2 {
		old = append(old, "{"+pairs[i]+"}", pairs[i+1])
	}
	return strings.NewReplacer(old...).Replace(s)
}

// texts is everything the assistant says.
var texts = struct {
	Intro, HowCanIHelp, Thanks, Sensitive                                      text
	AskOrder, UnknownOrder, AskCard, WholeAccount, AskReason, AskComplaintText text
	VirtualCard, OneTimeCard, OrderLabel                                       text
	ReasonNotReceived, ReasonNotAsDescribed, ReasonReturnedNotRefunded         text
	ReasonWrongInvoice                                                         text
	ProposeFreezeCard, ProposeFreezeAccount, ProposePause, ProposeReturn       text
	ProposeDispute, ProposeNotMine, ProposeErasure, ProposeComplaint           text
	ProposeComplaintOrder, ShallI                                              text
	DoneFreezeCard, DoneFreezeAccount, DonePause, DoneReturn, DoneDispute      text
	DoneNotMine, DoneErasure, DoneComplaint, Reference, FollowUp               text
	Cancelled, AnswerYesNo, AnswerWithNumber, DescribeComplaint                text
	RefundInfo, ChangeDateInfo, Phishing, ReadMore, ReportTitle                text
	HandOverAsked, HandOverUnsure, HandOverFailed, HandOverActionFailed        text
	HandOverNoTarget, HandOverNotSignedIn, WithColleague                       text
}{
	Intro: text{
		en: "Hi, I'm Tillit's assistant – a computer program, not a person.",
		da: "Hej, jeg er Tillits assistent – et computerprogram, ikke et menneske.",
		nl: "Hoi, ik ben de assistent van Tillit – een computerprogramma, geen mens.",
		sv: "Hej, jag är Tillits assistent – ett datorprogram, inte en människa.",
		de: "Hallo, ich bin der Assistent von Tillit – ein Computerprogramm, kein Mensch.",
	},
	HowCanIHelp: text{
		en: "How can I help? I can freeze your card, pause a payment, register a return, open a dispute, report a purchase you did not make, file a complaint or a request to delete your data, and answer questions about refunds, payment dates and suspicious messages.",
		da: "Hvad kan jeg hjælpe med? Jeg kan fryse dit kort, sætte en betaling på pause, registrere en returnering, åbne en sag om en ordre, anmelde et køb, du ikke har foretaget, indgive en klage eller en anmodning om sletning af dine data og svare på spørgsmål om refusioner, betalingsdatoer og mistænkelige beskeder.",
		nl: "Waarmee kan ik helpen? Ik kan je kaart bevriezen, een betaling pauzeren, een retour registreren, een geschil openen, een aankoop melden die je niet hebt gedaan, een klacht of een verzoek om je gegevens te verwijderen indienen, en vragen beantwoorden over terugbetalingen, betaaldata en verdachte berichten.",
		sv: "Vad kan jag hjälpa till med? Jag kan frysa ditt kort, pausa en betalning, registrera en retur, öppna en tvist, anmäla ett köp du inte har gjort, lämna in ett klagomål eller en begäran om att radera dina uppgifter och svara på frågor om återbetalningar, betalningsdatum och misstänkta meddelanden.",
		de: "Wobei kann ich helfen? Ich kann deine Karte einfrieren, eine Zahlung pausieren, eine Retoure anmelden, einen Streitfall eröffnen, einen Kauf melden, den du nicht getätigt hast, eine Beschwerde oder einen Antrag auf Löschung deiner Daten einreichen und Fragen zu Erstattungen, Zahlungsterminen und verdächtigen Nachrichten beantworten.",
	},
	Thanks: text{
		en: "You're welcome. Is there anything else I can help with?",
		da: "Selv tak. Er der andet, jeg kan hjælpe med?",
		nl: "Graag gedaan. Kan ik nog ergens anders mee helpen?",
		sv: "Varsågod. Är det något mer jag kan hjälpa till med?",
		de: "Gern geschehen. Kann ich dir sonst noch helfen?",
	},
	Sensitive: text{
		en: "Please don't send card numbers, passwords or codes here – we never ask for them. I have hidden what you sent.",
		da: "Send venligst ikke kortnumre, adgangskoder eller koder her – vi beder aldrig om dem. Jeg har skjult det, du sendte.",
		nl: "Stuur hier alsjeblieft geen kaartnummers, wachtwoorden of codes – daar vragen we nooit om. Ik heb verborgen wat je stuurde.",
		sv: "Skicka inte kortnummer, lösenord eller koder här – vi ber aldrig om dem. Jag har dolt det du skickade.",
		de: "Bitte schick hier keine Kartennummern, Passwörter oder Codes – danach fragen wir nie. Ich habe ausgeblendet, was du geschickt hast.",
	},
	AskOrder: text{
		en: "Which order is it about? Answer with its number:",
		da: "Hvilken ordre drejer det sig om? Svar med nummeret:",
		nl: "Over welke bestelling gaat het? Antwoord met het nummer:",
		sv: "Vilken order gäller det? Svara med numret:",
		de: "Um welche Bestellung geht es? Antworte mit der Nummer:",
	},
	UnknownOrder: text{
		en: "I can't find that order among your orders.",
		da: "Jeg kan ikke finde den ordre blandt dine ordrer.",
		nl: "Ik kan die bestelling niet vinden bij jouw bestellingen.",
		sv: "Jag hittar inte den ordern bland dina ordrar.",
		de: "Ich finde diese Bestellung nicht unter deinen Bestellungen.",
	},
	AskCard: text{
		en: "Which card should I freeze? Answer with its number:",
		da: "Hvilket kort skal jeg fryse? Svar med nummeret:",
		nl: "Welke kaart moet ik bevriezen? Antwoord met het nummer:",
		sv: "Vilket kort ska jag frysa? Svara med numret:",
		de: "Welche Karte soll ich einfrieren? Antworte mit der Nummer:",
	},
	WholeAccount: text{
		en: "Your whole account",
		da: "Hele din konto",
		nl: "Je hele account",
		sv: "Hela ditt konto",
		de: "Dein ganzes Konto",
	},
	AskReason: text{
		en: "What went wrong? Answer with its number:",
		da: "Hvad er der galt? Svar med nummeret:",
		nl: "Wat is er misgegaan? Antwoord met het nummer:",
		sv: "Vad har gått fel? Svara med numret:",
		de: "Was ist schiefgelaufen? Antworte mit der Nummer:",
	},
	AskComplaintText: text{
		en: "Tell me in a few sentences what your complaint is about, and I'll file it.",
		da: "Fortæl med et par sætninger, hvad din klage handler om, så indgiver jeg den.",
		nl: "Vertel in een paar zinnen waar je klacht over gaat, dan dien ik hem in.",
		sv: "Berätta med några meningar vad ditt klagomål gäller, så lämnar jag in det.",
		de: "Schreib mir in ein paar Sätzen, worum es bei deiner Beschwerde geht, dann reiche ich sie ein.",
	},
	VirtualCard: text{
		en: "Virtual card", da: "Virtuelt kort", nl: "Virtuele kaart", sv: "Virtuellt kort", de: "Virtuelle Karte",
	},
	OneTimeCard: text{
		en: "One-time card", da: "Engangskort", nl: "Eenmalige kaart", sv: "Engångskort", de: "Einmalkarte",
	},
	OrderLabel: text{
		en: "{ref} from {merchant} ({date}, {amount})",
		da: "{ref} fra {merchant} ({date}, {amount})",
		nl: "{ref} van {merchant} ({date}, {amount})",
		sv: "{ref} från {merchant} ({date}, {amount})",
		de: "{ref} von {merchant} ({date}, {amount})",
	},
	ReasonNotReceived: text{
		en: "The goods never arrived",
		da: "Varen er aldrig kommet",
		nl: "Het artikel is nooit aangekomen",
		sv: "Varan har aldrig kommit",
		de: "Die Ware ist nie angekommen",
	},
	ReasonNotAsDescribed: text{
		en: "The goods are faulty or not as described",
		da: "Varen er defekt eller ikke som beskrevet",
		nl: "Het artikel is defect of niet zoals beschreven",
		sv: "Varan är trasig eller inte som beskriven",
		de: "Die Ware ist defekt oder nicht wie beschrieben",
	},
	ReasonReturnedNotRefunded: text{
		en: "I returned the goods but got no refund",
		da: "Jeg har returneret varen, men ikke fået pengene tilbage",
		nl: "Ik heb het teruggestuurd maar geen geld teruggekregen",
		sv: "Jag har returnerat varan men inte fått pengarna tillbaka",
		de: "Ich habe die Ware zurückgeschickt, aber kein Geld zurückbekommen",
	},
	ReasonWrongInvoice: text{
		en: "The invoice is wrong",
		da: "Fakturaen er forkert",
		nl: "De factuur klopt niet",
		sv: "Fakturan är fel",
		de: "Die Rechnung ist falsch",
	},
	ProposeFreezeCard: text{
		en: "I will freeze card {card}. Purchases with it are declined until you unfreeze it in the app.",
		da: "Jeg fryser kort {card}. Køb med det bliver afvist, indtil du låser det op i appen.",
		nl: "Ik bevries kaart {card}. Aankopen ermee worden geweigerd tot je hem in de app weer ontdooit.",
		sv: "Jag fryser kort {card}. Köp med det nekas tills du låser upp det i appen.",
		de: "Ich friere die Karte {card} ein. Käufe damit werden abgelehnt, bis du sie in der App wieder freigibst.",
	},
	ProposeFreezeAccount: text{
		en: "I will freeze your account: new purchases with it and your cards are declined until you unfreeze it in the app.",
		da: "Jeg fryser din konto: nye køb med den og dine kort bliver afvist, indtil du låser den op i appen.",
		nl: "Ik bevries je account: nieuwe aankopen ermee en met je kaarten worden geweigerd tot je het in de app weer ontdooit.",
		sv: "Jag fryser ditt konto: nya köp med det och dina kort nekas tills du låser upp det i appen.",
		de: "Ich friere dein Konto ein: Neue Käufe damit und mit deinen Karten werden abgelehnt, bis du es in der App wieder freigibst.",
	},
	ProposePause: text{
		en: "I will pause the payments of order {order}.",
		da: "Jeg sætter betalingerne for ordre {order} på pause.",
		nl: "Ik pauzeer de betalingen van bestelling {order}.",
		sv: "Jag pausar betalningarna för order {order}.",
		de: "Ich pausiere die Zahlungen für die Bestellung {order}.",
	},
	ProposeReturn: text{
		en: "I will register a return of order {order}; its payments pause while the shop handles it.",
		da: "Jeg registrerer en returnering af ordre {order}; betalingerne sættes på pause, mens butikken behandler den.",
		nl: "Ik registreer een retour van bestelling {order}; de betalingen worden gepauzeerd terwijl de winkel hem afhandelt.",
		sv: "Jag registrerar en retur av order {order}; betalningarna pausas medan butiken hanterar den.",
		de: "Ich melde eine Retoure für die Bestellung {order} an; die Zahlungen pausieren, solange der Shop sie bearbeitet.",
	},
	ProposeDispute: text{
		en: "I will open a dispute on order {order}: {reason}. The shop is asked to answer, and the payments pause meanwhile.",
		da: "Jeg åbner en sag om ordre {order}: {reason}. Butikken bliver bedt om at svare, og betalingerne sættes imens på pause.",
		nl: "Ik open een geschil over bestelling {order}: {reason}. De winkel wordt gevraagd te reageren en de betalingen worden intussen gepauzeerd.",
		sv: "Jag öppnar en tvist om order {order}: {reason}. Butiken ombeds svara och betalningarna pausas under tiden.",
		de: "Ich eröffne einen Streitfall zur Bestellung {order}: {reason}. Der Shop wird um eine Antwort gebeten, und die Zahlungen pausieren so lange.",
	},
	ProposeNotMine: text{
		en: "I will report order {order} as a purchase you did not make. Our fraud team looks into it, and its payments pause meanwhile.",
		da: "Jeg anmelder ordre {order} som et køb, du ikke har foretaget. Vores svindelteam undersøger det, og betalingerne sættes imens på pause.",
		nl: "Ik meld bestelling {order} als een aankoop die je niet hebt gedaan. Ons fraudeteam zoekt het uit en de betalingen worden intussen gepauzeerd.",
		sv: "Jag anmäler order {order} som ett köp du inte har gjort. Vårt bedrägeriteam utreder det och betalningarna pausas under tiden.",
		de: "Ich melde die Bestellung {order} als Kauf, den du nicht getätigt hast. Unser Betrugsteam prüft das, und die Zahlungen pausieren so lange.",
	},
	ProposeErasure: text{
		en: "I will send our privacy team a request to delete your personal data. They answer within a month; what the law makes us keep (such as bookkeeping records and unpaid amounts) stays until that duty ends.",
		da: "Jeg sender vores databeskyttelsesteam en anmodning om at slette dine personoplysninger. De svarer inden for en måned; det, loven kræver, at vi gemmer (fx bogføring og ubetalte beløb), bliver, indtil den pligt ophører.",
		nl: "Ik stuur ons privacyteam een verzoek om je persoonsgegevens te verwijderen. Zij antwoorden binnen een maand; wat we wettelijk moeten bewaren (zoals de boekhouding en onbetaalde bedragen) blijft tot die plicht afloopt.",
		sv: "Jag skickar en begäran till vårt dataskyddsteam om att radera dina personuppgifter. De svarar inom en månad; det som lagen kräver att vi sparar (till exempel bokföring och obetalda belopp) finns kvar tills den skyldigheten upphör.",
		de: "Ich schicke unserem Datenschutzteam einen Antrag, deine personenbezogenen Daten zu löschen. Es antwortet innerhalb eines Monats; was wir gesetzlich aufbewahren müssen (etwa Buchhaltungsunterlagen und offene Beträge), bleibt, bis diese Pflicht endet.",
	},
	ProposeComplaint: text{
		en: "I will file a complaint with this text: “{text}”",
		da: "Jeg indgiver en klage med denne tekst: “{text}”",
		nl: "Ik dien een klacht in met deze tekst: “{text}”",
		sv: "Jag lämnar in ett klagomål med den här texten: ”{text}”",
		de: "Ich reiche eine Beschwerde mit diesem Text ein: „{text}“",
	},
	ProposeComplaintOrder: text{
		en: "I will file a complaint about order {order} with this text: “{text}”",
		da: "Jeg indgiver en klage om ordre {order} med denne tekst: “{text}”",
		nl: "Ik dien een klacht in over bestelling {order} met deze tekst: “{text}”",
		sv: "Jag lämnar in ett klagomål om order {order} med den här texten: ”{text}”",
		de: "Ich reiche eine Beschwerde zur Bestellung {order} mit diesem Text ein: „{text}“",
	},
	ShallI: text{
		en: "Shall I? (yes/no)",
		da: "Skal jeg det? (ja/nej)",
		nl: "Zal ik dat doen? (ja/nee)",
		sv: "Ska jag göra det? (ja/nej)",
		de: "Soll ich das tun? (ja/nein)",
	},
	DoneFreezeCard: text{
		en: "Done: card {card} is frozen. You can unfreeze it in the app whenever you want.",
		da: "Så er det gjort: kort {card} er frosset. Du kan låse det op i appen, når du vil.",
		nl: "Klaar: kaart {card} is bevroren. Je kunt hem in de app weer ontdooien wanneer je wilt.",
		sv: "Klart: kort {card} är fryst. Du kan låsa upp det i appen när du vill.",
		de: "Erledigt: Die Karte {card} ist eingefroren. Du kannst sie in der App wieder freigeben, wann immer du willst.",
	},
	DoneFreezeAccount: text{
		en: "Done: your account is frozen. You can unfreeze it in the app whenever you want.",
		da: "Så er det gjort: din konto er frosset. Du kan låse den op i appen, når du vil.",
		nl: "Klaar: je account is bevroren. Je kunt het in de app weer ontdooien wanneer je wilt.",
		sv: "Klart: ditt konto är fryst. Du kan låsa upp det i appen när du vill.",
		de: "Erledigt: Dein Konto ist eingefroren. Du kannst es in der App wieder freigeben, wann immer du willst.",
	},
	DonePause: text{
		en: "Done: the payments of order {order} are paused.",
		da: "Så er det gjort: betalingerne for ordre {order} er sat på pause.",
		nl: "Klaar: de betalingen van bestelling {order} zijn gepauzeerd.",
		sv: "Klart: betalningarna för order {order} är pausade.",
		de: "Erledigt: Die Zahlungen für die Bestellung {order} sind pausiert.",
	},
	DoneReturn: text{
		en: "Done: the return of order {order} is registered.",
		da: "Så er det gjort: returneringen af ordre {order} er registreret.",
		nl: "Klaar: de retour van bestelling {order} is geregistreerd.",
		sv: "Klart: returen av order {order} är registrerad.",
		de: "Erledigt: Die Retoure für die Bestellung {order} ist angemeldet.",
	},
	DoneDispute: text{
		en: "Done: the dispute on order {order} is open. You'll see the shop's answer on the order's page in the app.",
		da: "Så er det gjort: sagen om ordre {order} er åbnet. Du kan se butikkens svar på ordrens side i appen.",
		nl: "Klaar: het geschil over bestelling {order} is geopend. Je ziet het antwoord van de winkel op de pagina van de bestelling in de app.",
		sv: "Klart: tvisten om order {order} är öppnad. Du ser butikens svar på orderns sida i appen.",
		de: "Erledigt: Der Streitfall zur Bestellung {order} ist eröffnet. Die Antwort des Shops siehst du auf der Seite der Bestellung in der App.",
	},
	DoneNotMine: text{
		en: "Done: order {order} is reported, and our fraud team will contact you. If someone may know your login, change your password too.",
		da: "Så er det gjort: ordre {order} er anmeldt, og vores svindelteam kontakter dig. Hvis nogen kan kende dit login, så skift også din adgangskode.",
		nl: "Klaar: bestelling {order} is gemeld en ons fraudeteam neemt contact met je op. Kan iemand je inloggegevens kennen, wijzig dan ook je wachtwoord.",
		sv: "Klart: order {order} är anmäld och vårt bedrägeriteam kontaktar dig. Om någon kan känna till din inloggning, byt också lösenord.",
		de: "Erledigt: Die Bestellung {order} ist gemeldet, und unser Betrugsteam meldet sich bei dir. Falls jemand deine Zugangsdaten kennen könnte, ändere auch dein Passwort.",
	},
	DoneErasure: text{
		en: "Done: your request to delete your data is sent. We'll e-mail you when it has been handled.",
		da: "Så er det gjort: din anmodning om sletning af dine data er sendt. Vi sender dig en mail, når den er behandlet.",
		nl: "Klaar: je verzoek om je gegevens te verwijderen is verstuurd. We mailen je zodra het is afgehandeld.",
		sv: "Klart: din begäran om att radera dina uppgifter är skickad. Vi mejlar dig när den har hanterats.",
		de: "Erledigt: Dein Antrag auf Löschung deiner Daten ist abgeschickt. Wir schreiben dir eine E-Mail, sobald er bearbeitet ist.",
	},
	DoneComplaint: text{
		en: "Done: your complaint is filed. You'll get a confirmation by e-mail.",
		da: "Så er det gjort: din klage er indgivet. Du får en bekræftelse på mail.",
		nl: "Klaar: je klacht is ingediend. Je krijgt een bevestiging per e-mail.",
		sv: "Klart: ditt klagomål är inlämnat. Du får en bekräftelse via mejl.",
		de: "Erledigt: Deine Beschwerde ist eingereicht. Du bekommst eine Bestätigung per E-Mail.",
	},
	Reference: text{
		en: "Reference: {ref}.", da: "Reference: {ref}.", nl: "Referentie: {ref}.", sv: "Referens: {ref}.", de: "Referenz: {ref}.",
	},
	FollowUp: text{
		en: "Follow it here", da: "Følg den her", nl: "Volg het hier", sv: "Följ det här", de: "Hier verfolgen",
	},
	Cancelled: text{
		en: "OK, I haven't done anything. Is there anything else I can help with?",
		da: "Okay, jeg har ikke gjort noget. Er der andet, jeg kan hjælpe med?",
		nl: "Oké, ik heb niets gedaan. Kan ik ergens anders mee helpen?",
		sv: "Okej, jag har inte gjort något. Är det något annat jag kan hjälpa till med?",
		de: "Okay, ich habe nichts unternommen. Kann ich dir sonst irgendwie helfen?",
	},
	AnswerYesNo: text{
		en: "Please answer yes or no.",
		da: "Svar venligst ja eller nej.",
		nl: "Antwoord alsjeblieft met ja of nee.",
		sv: "Svara ja eller nej, tack.",
		de: "Bitte antworte mit ja oder nein.",
	},
	AnswerWithNumber: text{
		en: "Sorry, I didn't get that. Please answer with one of the numbers.",
		da: "Det forstod jeg desværre ikke. Svar venligst med et af numrene.",
		nl: "Sorry, dat begreep ik niet. Antwoord alsjeblieft met een van de nummers.",
		sv: "Förlåt, det förstod jag inte. Svara med ett av numren.",
		de: "Das habe ich leider nicht verstanden. Bitte antworte mit einer der Nummern.",
	},
	DescribeComplaint: text{
		en: "Please describe your complaint in a sentence or two.",
		da: "Beskriv venligst din klage med en sætning eller to.",
		nl: "Beschrijf je klacht alsjeblieft in een of twee zinnen.",
		sv: "Beskriv ditt klagomål med en eller två meningar.",
		de: "Bitte beschreib deine Beschwerde in ein, zwei Sätzen.",
	},
	RefundInfo: text{
		en: "A refund reaches you once the shop has registered the return or cancelled the order: the amount comes off what you owe, and anything you already paid is paid back to you. The order's page in the app shows where it stands. If the shop hasn't answered in reasonable time, I can open a dispute for you.",
		da: "En refusion når frem til dig, når butikken har registreret returneringen eller annulleret ordren: beløbet trækkes fra det, du skylder, og det, du allerede har betalt, bliver betalt tilbage til dig. Ordrens side i appen viser, hvor sagen står. Har butikken ikke svaret inden for rimelig tid, kan jeg åbne en sag for dig.",
		nl: "Een terugbetaling komt bij je zodra de winkel de retour heeft geregistreerd of de bestelling heeft geannuleerd: het bedrag gaat af van wat je nog moet betalen, en wat je al hebt betaald, krijg je terug. Op de pagina van de bestelling in de app zie je hoe het ervoor staat. Heeft de winkel niet binnen redelijke tijd gereageerd, dan kan ik een geschil voor je openen.",
		sv: "En återbetalning når dig när butiken har registrerat returen eller avbrutit ordern: beloppet dras av från det du är skyldig, och det du redan har betalat betalas tillbaka till dig. Orderns sida i appen visar hur det ligger till. Har butiken inte svarat inom rimlig tid kan jag öppna en tvist åt dig.",
		de: "Eine Erstattung kommt bei dir an, sobald der Shop die Retoure erfasst oder die Bestellung storniert hat: Der Betrag wird von deiner offenen Summe abgezogen, und was du schon bezahlt hast, bekommst du zurück. Auf der Seite der Bestellung in der App siehst du den Stand. Hat der Shop nicht in angemessener Zeit geantwortet, kann ich einen Streitfall für dich eröffnen.",
	},
	ChangeDateInfo: text{
		en: "You can't choose a new due date yourself. If something is wrong with the order – it hasn't arrived, it's faulty or you're returning it – I can pause its payments while that is sorted out. If you need more time to pay, a colleague can look at your options: just ask for a person.",
		da: "Du kan ikke selv vælge en ny forfaldsdato. Er der noget galt med ordren – den er ikke kommet, den er defekt, eller du returnerer den – kan jeg sætte betalingerne på pause, mens det bliver løst. Har du brug for mere tid til at betale, kan en kollega se på dine muligheder: skriv bare, at du vil tale med en person.",
		nl: "Je kunt zelf geen nieuwe vervaldatum kiezen. Is er iets mis met de bestelling – niet aangekomen, defect of je stuurt hem terug – dan kan ik de betalingen pauzeren zolang dat wordt opgelost. Heb je meer tijd nodig om te betalen, dan kan een collega naar de mogelijkheden kijken: vraag gewoon naar een medewerker.",
		sv: "Du kan inte själv välja ett nytt förfallodatum. Är det något fel på ordern – den har inte kommit, den är trasig eller du returnerar den – kan jag pausa betalningarna medan det reds ut. Behöver du mer tid att betala kan en kollega se över dina möjligheter: skriv bara att du vill prata med en person.",
		de: "Ein neues Fälligkeitsdatum kannst du nicht selbst wählen. Stimmt etwas mit der Bestellung nicht – sie ist nicht angekommen, defekt oder du schickst sie zurück –, kann ich die Zahlungen pausieren, bis das geklärt ist. Brauchst du mehr Zeit zum Zahlen, kann sich jemand aus unserem Team deine Möglichkeiten ansehen: Schreib einfach, dass du mit einem Menschen sprechen möchtest.",
	},
	Phishing: text{
		en: "We never ask for your password, your full card number or the codes we send you – not by e-mail, SMS, phone or chat. Don't click links or open attachments in a message you're unsure of; open the Tillit app or website yourself and check there whether you owe anything. Report the message at {report} – our security team looks into it. If you already shared details, freeze your card in the app and change your password.",
		da: "Vi beder aldrig om din adgangskode, dit fulde kortnummer eller de koder, vi sender dig – hverken på mail, sms, telefon eller chat. Klik ikke på links, og åbn ikke vedhæftede filer i en besked, du er i tvivl om; åbn selv Tillits app eller hjemmeside, og tjek der, om du skylder noget. Anmeld beskeden på {report} – vores sikkerhedsteam undersøger den. Har du allerede givet oplysninger, så frys dit kort i appen og skift din adgangskode.",
		nl: "We vragen nooit om je wachtwoord, je volledige kaartnummer of de codes die we je sturen – niet per e-mail, sms, telefoon of chat. Klik niet op links en open geen bijlagen in een bericht waarover je twijfelt; open zelf de app of website van Tillit en kijk daar of je iets moet betalen. Meld het bericht via {report} – ons beveiligingsteam zoekt het uit. Heb je al gegevens gedeeld, bevries dan je kaart in de app en wijzig je wachtwoord.",
		sv: "Vi ber aldrig om ditt lösenord, ditt fullständiga kortnummer eller koderna vi skickar till dig – varken via mejl, sms, telefon eller chatt. Klicka inte på länkar och öppna inte bilagor i ett meddelande du är osäker på; öppna själv Tillits app eller webbplats och kolla där om du är skyldig något. Anmäl meddelandet på {report} – vårt säkerhetsteam utreder det. Har du redan lämnat ut uppgifter, frys ditt kort i appen och byt lösenord.",
		de: "Wir fragen nie nach deinem Passwort, deiner vollständigen Kartennummer oder den Codes, die wir dir schicken – weder per E-Mail, SMS, Telefon noch im Chat. Klick nicht auf Links und öffne keine Anhänge in einer Nachricht, bei der du unsicher bist; öffne selbst die App oder Website von Tillit und prüfe dort, ob du etwas schuldest. Melde die Nachricht unter {report} – unser Sicherheitsteam prüft sie. Hast du schon Daten weitergegeben, friere deine Karte in der App ein und ändere dein Passwort.",
	},
	ReadMore: text{
		en: "Read more:", da: "Læs mere:", nl: "Lees meer:", sv: "Läs mer:", de: "Mehr dazu:",
	},
	ReportTitle: text{
		en: "Report a suspicious message",
		da: "Anmeld en mistænkelig besked",
		nl: "Meld een verdacht bericht",
		sv: "Anmäl ett misstänkt meddelande",
		de: "Verdächtige Nachricht melden",
	},
	HandOverAsked: text{
		en: "I'm passing you to a colleague. They'll read this conversation and answer here.",
		da: "Jeg sender dig videre til en kollega, som læser samtalen og svarer her.",
		nl: "Ik geef je door aan een collega, die dit gesprek leest en hier antwoordt.",
		sv: "Jag skickar dig vidare till en kollega, som läser samtalet och svarar här.",
		de: "Ich gebe dich an jemanden aus unserem Team weiter, der dieses Gespräch liest und hier antwortet.",
	},
	HandOverUnsure: text{
		en: "I'm not sure I understood, so I'm passing you to a colleague. They'll read this conversation and answer here.",
		da: "Jeg er ikke sikker på, at jeg forstod dig, så jeg sender dig videre til en kollega, som læser samtalen og svarer her.",
		nl: "Ik weet niet zeker of ik je goed begrijp, dus ik geef je door aan een collega, die dit gesprek leest en hier antwoordt.",
		sv: "Jag är inte säker på att jag förstod, så jag skickar dig vidare till en kollega, som läser samtalet och svarar här.",
		de: "Ich bin nicht sicher, ob ich dich richtig verstanden habe, darum gebe ich dich an jemanden aus unserem Team weiter, der dieses Gespräch liest und hier antwortet.",
	},
	HandOverFailed: text{
		en: "I'm not getting this right, so I'm passing you to a colleague. They'll read this conversation and answer here.",
		da: "Det lykkes mig ikke, så jeg sender dig videre til en kollega, som læser samtalen og svarer her.",
		nl: "Het lukt me niet goed, dus ik geef je door aan een collega, die dit gesprek leest en hier antwoordt.",
		sv: "Jag får inte till det, så jag skickar dig vidare till en kollega, som läser samtalet och svarar här.",
		de: "Das klappt bei mir gerade nicht, darum gebe ich dich an jemanden aus unserem Team weiter, der dieses Gespräch liest und hier antwortet.",
	},
	HandOverActionFailed: text{
		en: "That didn't work just now, so I'm passing you to a colleague who will look into it and answer here.",
		da: "Det lykkedes ikke lige nu, så jeg sender dig videre til en kollega, som ser på det og svarer her.",
		nl: "Dat lukte nu niet, dus ik geef je door aan een collega, die ernaar kijkt en hier antwoordt.",
		sv: "Det gick inte just nu, så jag skickar dig vidare till en kollega, som tittar på det och svarar här.",
		de: "Das hat gerade nicht geklappt, darum gebe ich dich an jemanden aus unserem Team weiter, der sich das ansieht und hier antwortet.",
	},
	HandOverNoTarget: text{
		en: "I can't find anything on your account I could do this for, so I'm passing you to a colleague. They'll answer here.",
		da: "Jeg kan ikke finde noget på din konto, jeg kan gøre det for, så jeg sender dig videre til en kollega, som svarer her.",
		nl: "Ik vind niets op je account waarvoor ik dit kan doen, dus ik geef je door aan een collega, die hier antwoordt.",
		sv: "Jag hittar inget på ditt konto som jag kan göra det för, så jag skickar dig vidare till en kollega, som svarar här.",
		de: "Ich finde in deinem Konto nichts, wofür ich das tun könnte, darum gebe ich dich an jemanden aus unserem Team weiter, der hier antwortet.",
	},
	HandOverNotSignedIn: text{
		en: "I can only do that for you when you're signed in to the Tillit app, so I'm passing you to a colleague, who will answer here.",
		da: "Det kan jeg kun gøre for dig, når du er logget ind i Tillits app, så jeg sender dig videre til en kollega, som svarer her.",
		nl: "Dat kan ik alleen voor je doen als je bent ingelogd in de app van Tillit, dus ik geef je door aan een collega, die hier antwoordt.",
		sv: "Det kan jag bara göra åt dig när du är inloggad i Tillits app, så jag skickar dig vidare till en kollega, som svarar här.",
		de: "Das kann ich nur für dich erledigen, wenn du in der App von Tillit angemeldet bist, darum gebe ich dich an jemanden aus unserem Team weiter, der hier antwortet.",
	},
	WithColleague: text{
		en: "A colleague has this conversation now and will answer here.",
		da: "En kollega har samtalen nu og svarer her.",
		nl: "Een collega heeft dit gesprek nu en antwoordt hier.",
		sv: "En kollega har samtalet nu och svarar här.",
		de: "Jemand aus unserem Team hat das Gespräch jetzt übernommen und antwortet hier.",
	},
}
