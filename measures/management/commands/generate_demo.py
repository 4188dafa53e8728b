"""`manage.py generate_demo`: a synthetic national dataset for benchmarks and demonstrations
(measures/generated_demo.py). It lives in measures, the lowest app that may import both the
results and the measures."""

import time

from django.core.management.base import BaseCommand, CommandError

from assessments.text import in_thai_and_english
from measures.generated_demo import DEFAULT_PASSWORD, GenerationRefused, generate


def year_list(text):
    try:
        years = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise CommandError(
            f"--years takes fiscal years (Buddhist Era) separated by commas, e.g. 2564,2568,2569, not {text!r}"
        ) from exc
    if not years:
        raise CommandError("--years needs at least one fiscal year, e.g. 2568")
    return years


class Command(BaseCommand):
    help = (
        "Fill an EMPTY database (migrated, frameworks loaded) with a synthetic national dataset: agencies "
        "of the NACC's types under ministries and provinces (codes G00001…), item-level results of each "
        "year by that year's framework (through the results import), units, a measures plan for the "
        "year after the last one with four rounds of progress in every review state. The same "
        "arguments give the same data. Sign-ins, all with --password (default generated-2570): "
        "gen-admin (system administrator), gen-ministry (executive overseeing the ministry of G00001), "
        "gen-province (executive overseeing the first province), gen-officer (integrity officer of "
        "G00001), gen-unit (unit staff of one unit of G00001)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--agencies", type=int, default=8323, help="how many agencies (default 8,323)")
        parser.add_argument(
            "--years", default="2564,2568,2569", help="fiscal years of results (default 2564,2568,2569)"
        )
        parser.add_argument("--measures", type=int, default=10, help="measures in each agency's plan (default 10)")
        parser.add_argument("--seed", type=int, default=1, help="seed of the random draws (default 1)")
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="the sign-ins' password")

    def handle(self, *args, agencies, years, measures, seed, password, **options):
        if agencies < 1 or measures < 1:
            raise CommandError("--agencies and --measures must be at least 1")
        started = time.perf_counter()
        try:
            made = generate(
                agencies=agencies,
                years=year_list(years),
                measures=measures,
                seed=seed,
                password=password,
                say=lambda text: self.stdout.write(f"  {text}") if options["verbosity"] > 1 else None,
            )
        except GenerationRefused as exc:
            raise CommandError(in_thai_and_english(exc.args[0])) from exc
        self.stdout.write("Time of each step:")
        for step, seconds in made.timings:
            self.stdout.write(f"  {step:<16} {seconds:8.1f} s")
        self.stdout.write("Sign-ins (password: the --password given):")
        for sign_in in made.sign_ins:
            self.stdout.write(f"  {sign_in.username:<13} {sign_in.what}")
        figures = sum(made.figures.values())
        plans = ", ".join(f"{count:,} measures for {year}" for year, count in made.plans.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {made.agencies:,} agencies, {figures:,} result figures, {plans}, "
                f"{made.entries:,} progress entries in {time.perf_counter() - started:.1f} s."
            )
        )
