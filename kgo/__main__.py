from kgo.cli import main

main()
