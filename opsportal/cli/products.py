"""`opsportal products ...`: the software catalog (``cli/licences.py``: organizations' licences).

    opsportal products list
    opsportal products add "K2 Five" [--description TEXT]
    opsportal products rename "K2 Five" "K2 Five Cloud"
    opsportal products delete "K2 Five"
    opsportal products versions list "K2 Five"
    opsportal products versions add "K2 Five" 5.5 --ga 2026-01-10 [--sunset DATE] [--eol DATE]
    opsportal products versions lifecycle "K2 Five" 5.5 --ga DATE [--sunset DATE] [--eol DATE]
    opsportal products versions rename "K2 Five" 5.5 "5.5 LTS"
    opsportal products versions delete "K2 Five" 5.5

Products and versions are named as staff see them (any case). The rules (unique names, lifecycle days in order,
what a deletion would break) are the services'; a refused command writes nothing. Each change is in the audit log
as done by no person (the operator's command line).
"""

from __future__ import annotations

import argparse

from opsportal.cli.common import emit, iso_date, operator


def name_key(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def product_named(name: str):
    from opsportal.services import software_catalog
    from opsportal.services.errors import NotFound

    found = [p for p in software_catalog.catalog(operator()) if name_key(p.name) == name_key(name)]
    if not found:
        raise NotFound(f"Unknown product {name!r} (see `opsportal products list`).")
    return found[0]


def version_named(product_name: str, number: str):
    from opsportal.services.errors import NotFound

    product = product_named(product_name)
    found = [v for v in product.versions if name_key(v.number) == name_key(number)]
    if not found:
        raise NotFound(f"{product.name} has no version {number!r} (see `opsportal products versions list`).")
    return found[0]


def _version_payload(v) -> dict:
    return {"id": v.id, "product": v.product, "number": v.number, "label": v.label, "ga": v.ga,
            "sunset": v.sunset, "end_of_life": v.end_of_life, "status": v.status.value}


def _version_line(v) -> str:
    days = f"GA {v.ga}" + (f", sunset {v.sunset}" if v.sunset else "") + (f", EOL {v.end_of_life}"
                                                                          if v.end_of_life else "")
    return f"  {v.label:<30} {v.status.label:<18} {days}"


def cmd_list(args: argparse.Namespace) -> None:
    from opsportal.services import software_catalog

    products = software_catalog.catalog(operator())
    lines = []
    for p in products:
        lines.append(f"{p.name}" + (f" — {p.description}" if p.description else ""))
        lines.extend(_version_line(v) for v in p.versions)
    emit(args, {"products": [{"id": p.id, "name": p.name, "description": p.description,
                              "versions": [_version_payload(v) for v in p.versions]} for p in products]},
         "\n".join(lines) or "No products.")


def cmd_add(args: argparse.Namespace) -> None:
    from opsportal.services import software_catalog

    p = software_catalog.create_product(operator(), args.name, args.description)
    emit(args, {"id": p.id, "name": p.name}, f"Added the product {p.name}.")


def cmd_rename(args: argparse.Namespace) -> None:
    from opsportal.services import software_edits

    product = product_named(args.name)
    name = software_edits.rename_product(operator(), product.id, args.new_name)
    emit(args, {"id": product.id, "name": name}, f"Renamed {product.name} to {name}.")


def cmd_delete(args: argparse.Namespace) -> None:
    from opsportal.services import software_edits

    name = software_edits.delete_product(operator(), product_named(args.name).id)
    emit(args, {"deleted": name}, f"Deleted the product {name}.")


def cmd_versions_list(args: argparse.Namespace) -> None:
    product = product_named(args.product)
    emit(args, {"product": product.name, "versions": [_version_payload(v) for v in product.versions]},
         "\n".join(_version_line(v) for v in product.versions) or f"{product.name} has no versions.")


def cmd_versions_add(args: argparse.Namespace) -> None:
    from opsportal.services import software_catalog

    v = software_catalog.add_version(operator(), product_named(args.product).id, args.number, ga=args.ga,
                                     sunset=args.sunset, end_of_life=args.eol)
    emit(args, _version_payload(v), f"Added {v.label} ({v.status.label.lower()} today).")


def cmd_versions_lifecycle(args: argparse.Namespace) -> None:
    from opsportal.services import software_catalog

    v = software_catalog.set_lifecycle(operator(), version_named(args.product, args.number).id, ga=args.ga,
                                       sunset=args.sunset, end_of_life=args.eol)
    emit(args, _version_payload(v), f"Saved the lifecycle of {v.label} ({v.status.label.lower()} today).")


def cmd_versions_rename(args: argparse.Namespace) -> None:
    from opsportal.services import software_edits

    old = version_named(args.product, args.number)
    v = software_edits.rename_version(operator(), old.id, args.new_number)
    emit(args, _version_payload(v), f"Renamed {old.label} to {v.label}.")


def cmd_versions_delete(args: argparse.Namespace) -> None:
    from opsportal.services import software_edits

    label = software_edits.delete_version(operator(), version_named(args.product, args.number).id)
    emit(args, {"deleted": label}, f"Deleted {label}.")


def add_commands(groups, common) -> None:
    products = groups.add_parser("products", help="the software catalog: products and versions").add_subparsers(
        dest="action", required=True)
    p = products.add_parser("list", parents=[common], help="every product with its versions and lifecycle")
    p.set_defaults(func=cmd_list)
    p = products.add_parser("add", parents=[common], help="add a product")
    p.add_argument("name")
    p.add_argument("--description", default="")
    p.set_defaults(func=cmd_add)
    p = products.add_parser("rename", parents=[common], help="rename a product (Extended-Terms follow)")
    p.add_argument("name")
    p.add_argument("new_name")
    p.set_defaults(func=cmd_rename)
    p = products.add_parser("delete", parents=[common], help="delete a product nothing refers to")
    p.add_argument("name")
    p.set_defaults(func=cmd_delete)

    versions = products.add_parser("versions", help="a product's versions").add_subparsers(dest="versions_action",
                                                                                           required=True)
    p = versions.add_parser("list", parents=[common], help="a product's versions")
    p.add_argument("product")
    p.set_defaults(func=cmd_versions_list)
    for name, func, text in (("add", cmd_versions_add, "add a version with its lifecycle days"),
                             ("lifecycle", cmd_versions_lifecycle, "set a version's lifecycle days")):
        p = versions.add_parser(name, parents=[common], help=text)
        p.add_argument("product")
        p.add_argument("number")
        p.add_argument("--ga", type=iso_date, required=True, metavar="DATE", help="general availability day")
        p.add_argument("--sunset", type=iso_date, default=None, metavar="DATE")
        p.add_argument("--eol", type=iso_date, default=None, metavar="DATE", help="end-of-life day")
        p.set_defaults(func=func)
    p = versions.add_parser("rename", parents=[common], help="rename a version (Extended-Terms follow)")
    p.add_argument("product")
    p.add_argument("number")
    p.add_argument("new_number")
    p.set_defaults(func=cmd_versions_rename)
    p = versions.add_parser("delete", parents=[common], help="delete a version nothing refers to")
    p.add_argument("product")
    p.add_argument("number")
    p.set_defaults(func=cmd_versions_delete)
