"""Prints a realistic contact CSV (tests.support.contacts_csv makes it):

python -m bench.generate 1000000 --duplicates 0.02 --bad 0.01 > contacts.csv
"""

from tests.support.contacts_csv import main

if __name__ == "__main__":
    main()
