"""Prints the SDL; `python -m graphql_schema.export > schema.graphql` keeps it committed."""

from graphql_schema.schema import schema


def sdl() -> str:
    return schema.as_str() + "\n"


if __name__ == "__main__":
    print(sdl(), end="")
