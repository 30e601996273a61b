"""Writes the import files the tests read, each reproducing a problem met in
real exports. Run it again after changing it:

    .venv/bin/python tests/sourcing/files/make.py

Every address is at an example.* domain; every number is a fictional one
that is still valid (phonenumbers' example numbers and their neighbours).
"""

from __future__ import annotations

import codecs
import datetime as dt
from pathlib import Path

HERE = Path(__file__).resolve().parent

# A LinkedIn Recruiter project export, in UTF-8, with the usual troubles.
LINKEDIN = (
    "First Name,Last Name,Headline,Location,Current Title,Current Company,"
    "Email Address,Phone Number,Profile URL,Skills\r\n"
    'Maria,Souza,"Backend engineer\r\nPython, Django",'
    '"São Paulo, Brazil",Senior Backend Engineer,Bluefin,maria.souza@example.org,'
    '+55 11 91234-5678,https://br.linkedin.com/in/maria-souza/,"Python, Django"\r\n'
    'Jonas,Becker,,"Berlin, Germany",Data Engineer,Umbrella,JONAS.BECKER@EXAMPLE.DE,'
    "030 1234567,,SQL\r\n"
    '=HYPERLINK("http://example.com"),Evil,,,,,evil@example.org,,,\r\n'
    ",,,London,,,nobody@example.org,,,\r\n"
    "Ana,Lima,,Lisbon,,,,,,\r\n"
    "Bad,Email,,,,,not-an-email,,,\r\n"
    'Maria,Sousa,,"São Paulo, Brazil",Engineer,Bluefin,maria.sousa@example.net,,,\r\n'
    "Jonas,Becker,,,,,jonas.becker@example.de,+49 30 1234567,,Kafka\r\n"
    'Priya,Raman,Recruiter,"Chennai, India",,Globex,priya@example.in,+91 98765 43210,'
    "https://github.com/PriyaR,\r\n"
)
SEMICOLON = (
    "Vorname;Nachname;E-Mail;Telefon;Firma;Stadt\n"
    "Jürgen;Müller;juergen.mueller@example.de;+49 89 1234567;Initech;München\n"
    "Chloé;Dubois;chloe.dubois@example.fr;+33 6 12 34 56 78;Acme;Paris\n"
)
TABS = (
    "Name\tEmail\tMobile\tCompany\tCity\n"
    "Ama Mensah\tama@example.com\t+233 24 123 4567\tHooli\tAccra\n"
    "Kenji Sato\tkenji@example.jp\t+81 90-1234-5678\tHooli\tTokyo\n"
)
PIPES = "name|email|title\nLee Chen|lee@example.com|Designer\nSara Haddad|sara@example.com|Nurse\n"
LATIN1 = "Name,Email,City\nJosé García,jose@example.es,Málaga\nFrançois Lefèvre,francois@example.fr,Besançon\n"
MIXED_UTF8 = "Name,Email,City\nJoão Pereira,joao@example.pt,São Paulo\n"
MIXED_CP1252 = "Zoë Ångström,zoe@example.se,Göteborg\n"
UTF16 = "Name\tEmail\tCity\nŁukasz Nowak\tlukasz@example.pl\tŁódź\nDũng Nguyễn\tdung@example.vn\tHà Nội\n"


def write(name: str, data: bytes) -> None:
    (HERE / name).write_bytes(data)


def xlsx() -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Candidates"
    sheet.append(["Full Name", "Email", "Phone", "Country", "Years of experience", "Company"])
    sheet.append(["Olivia Brown", "olivia@example.co.uk", 447911123456, "GB", 7, "Acme"])
    sheet.append(["Noah Wilson", "noah@example.com", "+1 415 555 0132", "US", 3.0, "Globex"])
    sheet.append(["Emma Davis", "emma@example.com", dt.datetime(2023, 5, 1), "US", 2, ""])
    sheet.append(["Liam Jones", "liam@example.com", 12345, "", 4, ""])
    sheet.append(['=CONCAT("a","b")', "formula@example.com", "", "", "", ""])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["Mia Taylor", "mia@example.com", 2079460958, "GB", "ten", ""])
    book.save(HERE / "recruiter.xlsx")


def main() -> None:
    write("linkedin.csv", LINKEDIN.encode())
    write("semicolon-bom.csv", codecs.BOM_UTF8 + SEMICOLON.encode())
    write("tabs.tsv", TABS.encode())
    write("pipes.txt", PIPES.encode())
    write("windows-1252.csv", LATIN1.encode("cp1252"))
    write("mixed-encodings.csv", MIXED_UTF8.encode() + MIXED_CP1252.encode("cp1252"))
    write("utf-16.txt", codecs.BOM_UTF16_LE + UTF16.encode("utf-16-le"))
    write("empty.csv", b"")
    write("header-only.csv", b"First Name,Last Name,Email\r\n")
    write("not-a-spreadsheet.xlsx", b"PK\x03\x04" + b"\x00" * 64)
    write("old-excel.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    xlsx()


if __name__ == "__main__":
    main()
