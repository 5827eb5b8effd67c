"""`bulk-actions-token ACCOUNT_ID [--role admin] [--scopes "bulk:read bulk:write"]`: prints a
development token for local use."""

import argparse

from app.infra.auth import issue_token


def main() -> None:
    parser = argparse.ArgumentParser(description="Print a bearer token for an account.")
    parser.add_argument("account_id")
    parser.add_argument("--role", default="user")
    parser.add_argument("--ttl", type=int, default=30 * 24 * 3600, help="lifetime in seconds")
    parser.add_argument("--scopes", help='space-separated, e.g. "bulk:read" (default: read, write)')
    args = parser.parse_args()
    scopes = None if args.scopes is None else args.scopes.split()
    print(issue_token(args.account_id, role=args.role, ttl_seconds=args.ttl, scopes=scopes))


if __name__ == "__main__":
    main()
