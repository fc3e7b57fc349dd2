from .adapter import main

main()
