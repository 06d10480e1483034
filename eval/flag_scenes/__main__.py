"""`python -m eval.flag_scenes`."""


from eval.flag_scenes.cli import main

if __name__ == "__main__":
    main()
