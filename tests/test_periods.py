"""Periods named in questions and sentences, and when they clash."""

from typing import Any

from index.query.periods import Periods, clash, periods, stated


def test_months_years_and_quarters_are_read() -> None:
    p = periods("Net income in the first quarter of 1987 rose, against Q4 and December 1986.")
    assert p.months == {"dec"}
    assert p.years == {"1987", "1986"}
    assert p.quarters == {"1", "4"}


def test_may_the_verb_is_not_a_month_but_may_the_month_is() -> None:
    assert periods("The company may sell the unit.").months == frozenset()
    assert periods("What was the load factor in May 1987?").months == {"may"}


def test_amounts_are_not_years() -> None:
    assert periods("It sold 1,987 cars for 2010.5 mln dlrs, or $2000 each.").years == frozenset()
    assert periods("Sales in the 1980s grew.").years == {"1980s"}  # a decade


def test_another_day_of_the_month_clashes() -> None:
    # "filmed on 8 April 2015" is not answered by "filmed on 18 April 2015": every word but
    # the day matches
    asked = periods("Whose city hall was used for filming on 8 April 2015?", asked=True)
    assert asked.days == {"apr-8"}
    assert clash(asked, stated("A shoot at City Hall was filmed on 18 April 2015.", None)) == (1, 2)
    assert clash(asked, stated("City Hall was filmed on April 8th, 2015.", None)) == (0, 3)
    assert clash(asked, stated("City Hall was filmed in April 2015.", None)) == (0, 2)  # no day: no clash
    assert periods("the Sept. 11 attacks, the 4th of July, on may 27", asked=True).days == {
        "sep-11",
        "jul-4",
        "may-27",
    }
    # a year, a range, a dateline or a lower-case "may" in an article name no day
    assert periods("In March 1987, on March 3-5 and 3 to 5 May, output may 10 pct").days == frozenset()
    assert periods("Talks ran from May 3 to May 10, or from April 30 to May 1.").days == frozenset()
    # nor, in a question, a number before a lower-case month word
    assert periods("Why did officials warn that 20 may die?", asked=True).days == frozenset()
    assert periods("whose city hall was used for filming on 8 april 2015", asked=True).days == {"apr-8"}
    assert periods("LONDON, April 2 - Prices rose.").days == frozenset()


def test_another_month_clashes_and_the_same_matches() -> None:
    asked = periods("What was West Germany's current account surplus in March 1987?")
    assert clash(asked, periods("The surplus widened to 6.6 billion marks in February.")) == (1, 0)
    assert clash(asked, periods("The surplus was 8.1 billion marks in March, the office said.")) == (0, 1)
    # Naming no period is not a clash: the dateline supplies it.
    assert clash(asked, periods("The surplus widened to 6.6 billion marks.")) == (0, 0)


def test_a_year_in_the_decade_asked_about_matches() -> None:
    # "in the 1990s" asked against "In 1995, ..." clashed (1990 against 1995) and ruled out
    # the sentence that answers; a decade holds its years, and no other decade's.
    decade = periods("What happened to the city's economy in the 1990s?", asked=True)
    assert decade.years == {"1990s"}
    assert clash(decade, stated("In 1995, the city's economy boomed.", None)) == (0, 1)
    assert clash(decade, stated("During the 1990s the economy boomed.", None)) == (0, 1)
    assert clash(decade, stated("In the 1980s crime rose, and in 2001 it fell.", None)) == (1, 0)
    assert clash(periods("What happened in 1995?", asked=True), stated("The 1990s were calm.", None)) == (
        0,
        1,
    )
    assert periods("Sales in the 1990's grew.").years == {"1990s"}
    # a year's possessive is that year: "1987's" is no decade "1987s"
    possessive = periods("What was 1987's output?", asked=True)
    assert possessive.years == {"1987"}
    assert clash(possessive, stated("In 1985, output rose.", None)) == (1, 0)
    # compared with a decade, a sentence speaks of its article's year, as with a year
    this_year = periods("What was output in 1987?", asked=True)
    assert clash(this_year, stated("Output is higher than in the 1970s.", 1987)) == (0, 1)


def test_a_question_without_periods_never_clashes() -> None:
    asked = periods("Who leads the company?")
    assert not asked
    assert clash(asked, periods("In March 1986 Smith became its chairman.")) == (0, 0)
    assert clash(Periods(frozenset(), frozenset({"1987"}), frozenset()), periods("In 1986 and 1987.")) == (
        0,
        1,
    )


def test_a_dateline_is_the_publication_date_not_the_reported_period() -> None:
    asked = periods("What was West Germany's current account surplus for March 1987?")
    lead = "WIESBADEN, March 26 - West Germany's surplus widened to 6.6 billion marks in February."
    assert periods(lead).months == {"feb"}
    assert clash(asked, periods(lead)) == (1, 0)
    assert periods("SOUTHFIELD, Mich., April 3 - Sales for March fell.").months == {"mar"}
    assert periods("NEW YORK, March 25 (Reuters) - Shares rose.").months == frozenset()
    assert periods("PARIS (AP) — Output fell in May.").months == {"may"}
    # Not a dateline: an ordinary sentence with a dash keeps its months.
    assert periods("In March, output fell - the first drop in a year.").months == {"mar"}
    assert periods("Smith - the chairman since May - resigned.").months == {"may"}


def test_odd_letters_and_wire_abbreviations() -> None:
    # Unicode case folding must not let "ı"/"ſ" through as "i"/"s" (it once raised KeyError).
    assert periods("fırst quarter profit, ſecond quarter").quarters == frozenset()
    assert periods("4th qtr net profit against 3Q and Fourth-Quarter").quarters == {"3", "4"}
    assert periods("It cost £2000, at 1900 GMT, in 1987.").years == {"1987"}


def test_more_datelines_and_months_that_are_names() -> None:
    assert periods("LA PAZ, March 3 (Reuters) - Tin output fell in February.").months == {"feb"}
    assert periods("SÃO PAULO (AP) — Output rose.").months == frozenset()
    assert periods("Feb 24 (Reuters) - Output rose in January.").months == {"jan"}
    assert periods("NEW YORK, June 29, - Sales rose.").months == frozenset()
    assert periods("Prime Minister Theresa May resigned.").months == frozenset()
    assert periods("In May, output fell; Kenneth May said so in June 1987.").months == {"may", "jun"}


def test_questions_typed_in_lower_case_still_ask_for_a_month() -> None:
    assert periods("what was the surplus in march 1987?", asked=True).months == {"mar"}
    assert periods("surplus for the month of march", asked=True).months == {"mar"}
    assert periods("they may say so", asked=True).months == frozenset()
    assert periods("what was the surplus in march 1987?").months == frozenset()  # sentences: capitals only


def test_a_sentence_naming_years_also_speaks_of_its_articles_year() -> None:
    # The comparison year is named; the current one is left to the dateline.
    assert stated("Sales rose to 15,873 from 13,806 in March 2022.", 2023).years == {"2022", "2023"}
    # Naming no year says nothing about years: annual results come out the next year.
    assert stated("Net profit rose to 12 mln dlrs.", 2023).years == frozenset()
    assert stated("Net profit in 2021 rose.", None).years == {"2021"}
    assert stated("She won the contest in 2022.", 2023).years == {"2022"}
    asked = periods("What was the profit in 2023?", asked=True)
    assert clash(asked, stated("Profit rose, against 2022's.", 2023)) == (0, 1)
    assert clash(asked, stated("Profit in 2021 rose.", 2022)) == (1, 0)


def test_last_year_is_the_year_before_the_articles() -> None:
    assert stated("Last year it imported 162,500 tonnes of sugar.", 1987).years == {"1986"}
    assert stated("Last year it imported 162,500 tonnes of sugar.", None).years == frozenset()
    # compared with, like a named year: it says nothing about the year reported on
    assert stated("Profit rose to 5 mln dlrs from 3 mln last year.", 1987).years == frozenset()
    assert stated("Profit rose to 5 mln dlrs from 3 mln a year earlier.", 1987).years == frozenset()
    ford = (
        "Ford said its sales of U.S.-made cars in late February rose 29.3 pct over the same period last year."
    )
    assert stated(ford, 1987).years == frozenset()  # any word of change or comparing before it
    assert stated("Last year profit was 3 mln, and this year it expects 5 mln.", 1987).years == {
        "1986",
        "1987",
    }
    asked = periods("How much sugar did Indonesia import in 1987?", asked=True)
    assert clash(asked, stated("Last year it imported 162,500 tonnes of sugar.", 1987)) == (1, 0)
    asked = periods("How much sugar did Indonesia import in 1986?", asked=True)
    assert clash(asked, stated("Last year it imported 162,500 tonnes of sugar.", 1987)) == (0, 1)


def test_last_month_is_the_month_before_the_articles() -> None:
    assert stated("The company said last month it would cut 500 jobs.", 1987, 4).months == {"mar"}
    assert stated("The company said last month it would cut 500 jobs.", 1987, 1).months == {"dec"}
    assert stated("The company said last month it would cut 500 jobs.", 1987).months == frozenset()
    # compared with, a decimal point before it or not
    assert (
        stated("Exports rose to 7.5 billion dlrs, up from 6.9 billion last month.", 1987, 4).months
        == frozenset()
    )
    assert stated("Sales rose 3.5 pct last year.", 1987).years == frozenset()
    # a named year inside a comparison with last year is still the year reported on
    assert stated("Output fell in 1986, compared with last year.", 1987).years == {"1986"}
    assert stated("Last year it imported 162,500 tonnes, against 100,000 in 1985.", 1987).years == {
        "1985",
        "1986",
    }
    asked = periods("What did the company say in February 1987?", asked=True)
    assert clash(asked, stated("The company said last month it would cut 500 jobs.", 1987, 4)) == (1, 0)


def test_a_maturity_is_no_period_reported_on() -> None:
    asked = periods("How big is the Hokkaido Bank eurobond issued in March 1987?", asked=True)
    bond = "Hokkaido Bank is issuing a 100 mln dlr convertible eurobond due March 31, 2002 paying 1-3/4 pct."
    assert clash(asked, stated(bond, 1987)) == (0, 0)
    assert stated("The notes maturing in 1992 were priced at par.", 1987).years == frozenset()
    assert stated("The warrants expire in 1990.", 1987).years == frozenset()
    assert stated("Payment is due in March.", 1987).months == {"mar"}  # no year: a month it names
    # a maturity of a security only: a contract or a report due names its period
    assert stated("The contract expires in 1988, the union said.", 1987).years == {"1988"}
    assert stated("The report is due on March 31, 1987.", 1987).years == {"1987"}


_AIRLINE = (
    "---\ntitle: Freeland Airways traffic\npublished: 2023-07-08\n---\n\n"
    "Freeland Airways said its load factor for June was 61.2 pct, against 58.4 pct in May. "
    "The airline carried 212,000 passengers in the month. "
    "Freeland Airways flies to nine cities from its base in Tromso.\n"
)
_MILL = (
    "---\ntitle: Orchard Mills results\npublished: 2023-03-02\n---\n\n"
    "Orchard Mills said its 2022 net profit rose to 12.4 mln dlrs from 9.1 mln dlrs in 2021. "
    "The miller expects higher grain costs to weigh on margins.\n"
)
_OTHER = "---\ntitle: Harbour works\npublished: 2023-05-11\n---\n\nThe harbour in Bergen will be dredged next spring.\n"


def test_an_answer_for_another_period_is_not_given(engine_over: Any) -> None:
    engine = engine_over({"airline.md": _AIRLINE, "mill.md": _MILL, "harbour.md": _OTHER})
    asked_for_june = engine.ask("What was Freeland Airways' load factor in June 2023?")
    assert not asked_for_june.abstained and "61.2 pct" in asked_for_june.text
    for question in (
        "What was Freeland Airways' load factor in July 2023?",
        "What was Freeland Airways' load factor for August?",
        "What net profit did Orchard Mills report for 2020?",
    ):
        answer = engine.ask(question)
        assert answer.abstained, (question, answer.text)
    profit = engine.ask("What net profit did Orchard Mills report for 2022?")
    assert not profit.abstained and "12.4 mln" in profit.text


def test_a_year_named_to_compare_with_leaves_the_current_one_to_the_dateline() -> None:
    assert stated("Reserves were 7.7 billion in March, against 7.0 billion in March 2021.", 2022).years == {
        "2021",
        "2022",
    }
    assert stated("Output will grow five pct this calendar year.", 2022).years == frozenset()
    assert stated("Output will grow five pct this year, up from 3.8 pct in 2021.", 2022).years == {
        "2021",
        "2022",
    }
    # It names the year it reports on: "2021 sales", compared with 2020.
    assert stated("Its 2021 sales fell to 2.01 billion from 2.21 billion in 2020.", 2022).years == {
        "2020",
        "2021",
    }
    assert stated("Net income for 2021 fell to 101.9 mln dlrs from year-ago 199.0 mln.", 2022).years == {
        "2021"
    }


def test_when_every_sentence_states_another_period_the_question_is_refused(engine_over: Any) -> None:
    engine = engine_over({"airline.md": _AIRLINE})
    reading = engine.read("What was Freeland Airways' load factor in July 2023?")
    assert reading.rows and not reading.probabilities.any()
    assert reading.answerable == 0.0
    assert engine.ask("What was Freeland Airways' load factor in July 2023?").abstained
