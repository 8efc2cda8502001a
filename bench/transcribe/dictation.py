"""Synthesised legal dictation: texts with party names, citations and numbers, spoken by espeak-ng.

The texts are written here; the audio is generated into a cache folder on first use
(needs the Debian packages ``espeak-ng``), never committed.
"""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass
from pathlib import Path

DEFAULT_CACHE = Path("~/.cache/lexstream/bench/dictation").expanduser()

# Each text is read by one voice at one speed; together they last a little over 10 minutes.
TEXTS: dict[str, str] = {
    "memo-harrington": (
        "Memorandum to file. Matter number 2024 dash 0117, Harrington Logistics against "
        "Bellweather Freight Corporation. This memorandum summarises the hearing held on "
        "the fourteenth of March before Judge Elena Vasquez in the United States District "
        "Court for the Northern District of California. Counsel for the plaintiff, Margaret "
        "Okafor, argued that the defendant breached section 4 of the master services "
        "agreement by failing to deliver 1200 containers within 30 days. The defendant, "
        "represented by Daniel Whitcombe, responded that the delay was excused by the force "
        "majeure clause in section 11. The court noted that under Hadley against Baxendale "
        "the damages must have been within the contemplation of both parties. Plaintiff "
        "claims damages of 2 million 450 thousand dollars, together with interest at 9 "
        "percent from the date of breach. The judge asked both parties to file supplemental "
        "briefs within 21 days addressing whether the clause covers a port strike. Our "
        "position is that a strike announced 6 weeks in advance was foreseeable and "
        "therefore not a force majeure event. Please diarise the briefing deadline for the "
        "fourth of April and circulate a draft to the client by the twenty eighth of March."
    ),
    "letter-novak": (
        "Dear Ms Novak, we write on behalf of our client, Greenfield Pharmaceuticals "
        "Limited, in connection with the licence agreement dated the first of June 2021. "
        "Clause 7 of the agreement requires your company to pay royalties of 4 and a half "
        "percent on net sales within 45 days of the end of each quarter. Our records show "
        "that the payments for the second and third quarters of last year, amounting to 318 "
        "thousand euros, remain outstanding. We refer you to the decision of the Court of "
        "Justice of the European Union in case C 131 of 2012, Google Spain, only for the "
        "principle that a data controller must respond to a request without undue delay, "
        "since you have not answered our letters of the tenth of September and the second "
        "of November. Unless the outstanding sum is paid within 14 days of the date of this "
        "letter, our client will terminate the agreement under clause 15 and commence "
        "proceedings in the High Court of Justice, Business and Property Courts of England "
        "and Wales, without further notice. We also reserve our client's right to claim "
        "interest under the Late Payment of Commercial Debts Act 1998. Yours sincerely, "
        "Thomas Ellery, partner."
    ),
    "brief-roe": (
        "Statement of the case. In Roe against Wade, 410 U.S. 113, decided in 1973, the "
        "Supreme Court held that the constitutional right to privacy extended to a woman's "
        "decision whether to terminate her pregnancy. That holding was overruled in Dobbs "
        "against Jackson Women's Health Organization, 597 U.S. 215, decided in 2022. The "
        "appellant, Riverside County Medical Association, contends that the district court "
        "misapplied Dobbs when it dismissed counts 2 and 3 of the amended complaint. The "
        "standard of review is de novo. The appellee, the State Board of Licensing, argues "
        "that the claims are moot because the regulation was repealed on the 9th of "
        "January. The Ninth Circuit has held that voluntary cessation does not moot a case "
        "unless it is absolutely clear that the conduct cannot reasonably be expected to "
        "recur. See Friends of the Earth against Laidlaw Environmental Services, 528 U.S. "
        "167, at page 189. The record contains 3 declarations showing that the board "
        "considered reinstating the rule as recently as last October. The judgment should "
        "therefore be reversed and the case remanded for further proceedings."
    ),
    "deposition-summary": (
        "Deposition summary. Witness: Robert Chen, chief financial officer of Meridian "
        "Capital Partners. Date: the 22nd of August. Location: the offices of Baker and "
        "Lindqvist, 1500 Market Street, Philadelphia. Examination by Sarah Goldstein for "
        "the plaintiffs. Mr Chen testified that he joined Meridian in 2016 and approved the "
        "quarterly reports for the fiscal years 2019 through 2021. He confirmed that the "
        "valuation of the Westbrook portfolio was reduced from 86 million to 52 million "
        "dollars in the fourth quarter of 2020, but he could not recall who proposed the "
        "adjustment. Asked about exhibit 14, an email of the 3rd of February 2021, he "
        "stated that he had not seen it before the litigation. He agreed that the audit "
        "committee met 7 times in 2020 and that the minutes of 2 of those meetings are "
        "missing. On cross examination by Paul Adeyemi for the defendants, Mr Chen said "
        "that the auditors, Hartley and Moss, had signed off on every report without "
        "qualification. The deposition lasted 4 hours and 35 minutes and was adjourned "
        "to be continued on a date to be agreed."
    ),
    "judgment-extract": (
        "Judgment. This is an appeal from the order of His Honour Judge Pemberton in the "
        "County Court at Manchester dated the 17th of May. The claimant, Mrs Fatima Rahman, "
        "brought a claim for possession and arrears of rent of 8 thousand 640 pounds "
        "against the defendant, Mr Gareth Lloyd, the tenant of 42 Albert Road. The judge "
        "found that the notice served under section 8 of the Housing Act 1988 was valid "
        "and made an order for possession within 28 days. The defendant appeals on 3 "
        "grounds. First, that the notice gave the wrong date for the commencement of "
        "proceedings. Second, that the judge failed to consider the counterclaim for "
        "disrepair. Third, that the order was disproportionate. I accept the first ground. "
        "Following the Court of Appeal in Mountain against Hastings, a notice that fails to "
        "give the tenant the information required by the statute is invalid, whatever the "
        "tenant in fact understood. The appeal is allowed, the order for possession is set "
        "aside, and the claim is remitted for a fresh hearing before a different judge. "
        "Costs are reserved."
    ),
    "attendance-note": (
        "Attendance note. Telephone call with the client, Mr Henrik Andersen of Nordhavn "
        "Shipping, on Tuesday at 3 15 in the afternoon, lasting 40 minutes. The client "
        "instructs us to defend the arbitration commenced by Pacific Bulk Carriers under "
        "the London Maritime Arbitrators Association terms of 2021. The claim concerns "
        "demurrage of 612 thousand dollars at the port of Santos for the vessel Nordic "
        "Star, which waited 19 days for a berth. The client says the charter party, dated "
        "the 5th of January, contains a clause excluding time lost through congestion. We "
        "advised that the tribunal will construe the exclusion narrowly, following the "
        "House of Lords in The Happy Day and the Commercial Court in The Eternal Bliss, "
        "and that the burden is on the charterer to bring itself within the exception. "
        "The client will send the charter party, the statement of facts and the notices of "
        "readiness by Friday. We agreed a budget of 45 thousand pounds up to the exchange "
        "of submissions, and the client asked us to explore settlement at around 300 "
        "thousand dollars. Next step: appoint an arbitrator within 14 days."
    ),
    "court-order": (
        "Order. Upon the application of the defendant, Alder Construction Group, dated the "
        "2nd of October, and upon hearing counsel for the claimant, Westminster Homes, and "
        "counsel for the defendant, it is ordered that: 1. The defendant shall give "
        "standard disclosure of documents by 4 pm on the 30th of November. 2. The parties "
        "shall exchange witness statements of fact by the 15th of January. 3. Each party "
        "has permission to rely on the written evidence of one expert quantity surveyor, "
        "whose reports shall be exchanged by the 1st of March. 4. The experts shall meet "
        "and prepare a joint statement of the issues on which they agree and disagree by "
        "the 29th of March. 5. The trial shall be listed for 8 days in the Technology and "
        "Construction Court, with a time estimate of 6 days plus 2 days for judicial "
        "reading, in a window beginning on the 3rd of June. 6. Costs of the application "
        "in the case. The parties are reminded of their duty to consider alternative "
        "dispute resolution, in light of Churchill against Merthyr Tydfil County Borough "
        "Council, decided in 2023."
    ),
}

VOICES = ("en-us", "en-gb", "en-us+m3", "en-gb-x-rp", "en-us+f2", "en-gb-scotland", "en-us")
SPEEDS = (130, 135, 125, 130, 125, 130, 135)


@dataclass(frozen=True)
class Dictation:
    name: str
    text: str
    path: Path


def dictations(cache_dir: Path = DEFAULT_CACHE) -> list[Dictation]:
    """Render each text to WAV (once; the file name carries a hash of text and voice)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    rendered = []
    for (name, text), voice, speed in zip(TEXTS.items(), VOICES, SPEEDS, strict=True):
        digest = hashlib.sha256(f"{voice}|{speed}|{text}".encode()).hexdigest()[:12]
        path = cache_dir / f"{name}-{digest}.wav"
        if not path.exists():
            partial = path.with_suffix(".tmp.wav")
            subprocess.run(
                ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(partial), text],
                check=True,
            )
            partial.replace(path)
        rendered.append(Dictation(name, text, path))
    return rendered
