"""Writes callqa/services/common_passwords.txt, the common passwords that accounts refuse.

The most common passwords of zxcvbn's list (the Python package `zxcvbn`, MIT; its list is
ranked from Mark Burnett's 10 million leaked passwords), and passwords common in Poland that
an English list ranks low or misses. Run once after changing either, from the checkout:

    .venv/bin/python -m pip install zxcvbn==4.5.0
    .venv/bin/python scripts/make_common_passwords.py

zxcvbn is needed only here, not at run time: the text file is shipped with callqa.
"""
from __future__ import annotations

from pathlib import Path

from zxcvbn.frequency_lists import FREQUENCY_LISTS

MOST_COMMON = 10_000
POLISH = """
haslo haslo1 haslo12 haslo123 haslo1234 maslo zaq12wsx zaq1xsw2 zaq1@wsx xsw2zaq1 qazwsx
polska polska1 polska12 polska123 kochanie kochanie1 misiek misiaczek kasia kasia1 kasienka
agnieszka aga123 marcin marcin1 bartek bartek1 mateusz mateusz1 lukasz lukasz1 michal
michal1 tomek tomek1 kamil kamil1 krzysiek piotrek piotrek1 pawel pawel1 monika monika1
magda magda1 justyna karolina natalia ania ania1 asia asia1 ola ola123 kacper kacper1
dawid dawid1 szymon jakub kuba kuba123 adrian damian wojtek grzesiek sebastian patryk
dupa dupa1 dupa123 dupadupa kurwa kurwa1 kurwamac jebać jebac cipa chuj legia legia1
lech lech1 wisla wisla1 widzew slask cracovia barcelona juventus realmadryt polonia
warszawa krakow gdansk poznan wroclaw lodz szczecin katowice lublin bialystok
slonko slonce sloneczko kotek kotek1 kotki piesek pies123 myszka myszka1 skarbie skarb
kocham kochamcie kochamcię tesknie zabawa przyjaciel mamusia mama123 tata123 rodzina
dziewczyna chlopak szkola matrix123 zaqwsx qwertyuiop qwerty12 qwerty1 qwe123 asdfgh
zxcvbnm 1qaz2wsx 1q2w3e4r 1q2w3e4r5t 1q2w3e 123qwe 123qweasd qweasd qweasdzxc
administrator admin1 admin123 haslo.123 tajne tajnehaslo mojehaslo nowehaslo
zmienhaslo zmiana123 zmiana1 witaj witam witam123 czesc dzienDobry dziendobry
dobranoc wakacje wiosna lato2024 jesien zima123 styczen luty marzec kwiecien maj czerwiec
lipiec sierpien wrzesien pazdziernik listopad grudzien poniedzialek wtorek sroda czwartek
piatek sobota niedziela bedzie internet komputer telefon samochod biedronka lidl allegro
orange playmobile plusgsm tplink netia vectra cyfrowy
"""


def main() -> None:
    words = [w.lower() for w in FREQUENCY_LISTS["passwords"][:MOST_COMMON]]
    words += [w.lower() for w in POLISH.split()]
    unique = list(dict.fromkeys(words))
    target = Path(__file__).resolve().parents[1] / "callqa" / "services" / "common_passwords.txt"
    header = [f"# {len(unique)} common passwords, lower-case, one a line; made by "
              "scripts/make_common_passwords.py",
              f"# from the {MOST_COMMON} most common of zxcvbn 4.5.0's list (MIT) and "
              "passwords common in Poland"]
    target.write_text("\n".join(header + unique) + "\n", encoding="utf-8")
    print(f"{target}: {len(unique)} passwords")


if __name__ == "__main__":
    main()
