"""`python -m eval.flag_bench`."""

from eval.flag_bench.cli import main

if __name__ == "__main__":
    main()
