from fairlabel.adapters.cli import main

main()
