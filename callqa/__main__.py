from callqa.cli.main import main

main()
