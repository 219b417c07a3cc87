from fairlabel.bootstrap import main

main()
