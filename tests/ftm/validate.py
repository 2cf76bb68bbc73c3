"""Checks a FollowTheMoney export with the followthemoney package: every line loads as an entity of
its model, no value is lost to cleaning (each passes its property type), required properties are
present, and every entity reference points at an entity of the export with a fitting schema.

Usage: python validate.py EXPORT.jsonl   (prints a JSON summary; exits 1 on any problem)
"""
import collections
import json
import sys

from followthemoney import model
from followthemoney.exc import InvalidData


def main(path):
    problems = []
    schemata = {}
    references = []
    counts = collections.Counter()
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            where = f"line {number}"
            data = json.loads(line)
            schema = model.get(data.get("schema"))
            if schema is None or schema.abstract:
                problems.append(f"{where}: no concrete schema {data.get('schema')!r}")
                continue
            if not data.get("id"):
                problems.append(f"{where}: no id")
                continue
            if data["id"] in schemata:
                problems.append(f"{where}: id {data['id']} appears twice")
            schemata[data["id"]] = schema
            counts[schema.name] += 1
            properties = data.get("properties", {})
            for name in properties:
                if name not in schema.properties:
                    problems.append(f"{where}: {schema.name} has no property {name!r}")
            proxy = model.get_proxy(data, cleaned=False)
            for name, values in properties.items():
                kept = proxy.get(name, quiet=True)
                if len(kept) != len(set(values)):
                    lost = [v for v in values if v not in kept]
                    problems.append(f"{where}: {schema.name}.{name} values rejected by their type: {lost[:3]}")
            for name in schema.required:
                if not proxy.get(name):
                    problems.append(f"{where}: {schema.name} lacks required {name}")
            try:
                schema.validate(proxy.to_dict())
            except InvalidData as error:
                problems.append(f"{where}: {error}")
            for prop in proxy.iterprops():
                if prop.type.name == "entity":
                    for value in proxy.get(prop):
                        references.append((where, prop, value))
    for where, prop, value in references:
        target = schemata.get(value)
        if target is None:
            problems.append(f"{where}: {prop.schema.name}.{prop.name} points at {value}, not in the export")
        elif not target.is_a(prop.range):
            problems.append(f"{where}: {prop.name} points at a {target.name}, not a {prop.range.name}")
    print(json.dumps({"entities": sum(counts.values()), "schemata": dict(sorted(counts.items())),
                      "problems": problems[:50], "problem_count": len(problems)}, indent=1))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
