"""Real places as postcodes.io describes them (tests/data/postcodes_io), shared by the tests."""

from advocacy.places.postcodes import Place

SOUTHWARK = Place(
    "SE1 2DL",
    "England",
    "E14001085",
    "Bermondsey and Old Southwark",
    "E23000001",
    "Metropolitan Police",
)
SEVENOAKS = Place("BR8 7RE", "England", "E14001465", "Sevenoaks", "E23000032", "Kent")

# A letters request that names its areas instead of a postcode (no lookup): the example
# campaign, the MP for Cities of London and Westminster and the Met.
BY_AREA = {
    "constituency_code": "E14001172",
    "pfa_code": "E23000001",
    "name": "Ann Example",
    "talking_points": ["accuracy"],
}
