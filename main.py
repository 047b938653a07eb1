from source_tempo.run import run

if __name__ == "__main__":
    run()
