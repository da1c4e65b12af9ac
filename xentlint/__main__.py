from xentlint.cli import main

main()
