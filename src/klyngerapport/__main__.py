from klyngerapport.cli import main

main()
