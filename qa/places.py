"""Names of countries, US states and world regions: places a text names without "in" or "at".

"China is home to 1.4 billion people" names a country in a sentence's subject, where no place
cue precedes it; a "Which country ...?" question is answered by it. Country names follow ISO
3166 (common forms), with the older and shorter names news uses (Burma, West Germany, the
Soviet Union, Britain). Cities are left out: a city named without a cue is as often a
company's or a team's name ("Boston Scientific", "Chicago Bulls").
"""
from __future__ import annotations

COUNTRIES = """
Afghanistan|Albania|Algeria|Andorra|Angola|Antigua and Barbuda|Argentina|Armenia|Australia|Austria|
Azerbaijan|Bahamas|Bahrain|Bangladesh|Barbados|Belarus|Belgium|Belize|Benin|Bhutan|Bolivia|
Bosnia and Herzegovina|Botswana|Brazil|Brunei|Bulgaria|Burkina Faso|Burundi|Cabo Verde|Cape Verde|
Cambodia|Cameroon|Canada|Central African Republic|Chad|Chile|China|Colombia|Comoros|Congo|Costa Rica|
Croatia|Cuba|Cyprus|Czechia|Czech Republic|Ivory Coast|Denmark|Djibouti|Dominica|Dominican Republic|
Ecuador|Egypt|El Salvador|Equatorial Guinea|Eritrea|Estonia|Eswatini|Swaziland|Ethiopia|Fiji|Finland|
France|Gabon|Gambia|Georgia|Germany|Ghana|Greece|Greenland|Grenada|Guatemala|Guinea|Guinea-Bissau|Guyana|
Haiti|Honduras|Hong Kong|Hungary|Iceland|India|Indonesia|Iran|Iraq|Ireland|Israel|Italy|Jamaica|Japan|
Jordan|Kazakhstan|Kenya|Kiribati|Kosovo|Kuwait|Kyrgyzstan|Laos|Latvia|Lebanon|Lesotho|Liberia|Libya|
Liechtenstein|Lithuania|Luxembourg|Macao|Macau|Madagascar|Malawi|Malaysia|Maldives|Mali|Malta|
Marshall Islands|Mauritania|Mauritius|Mexico|Micronesia|Moldova|Monaco|Mongolia|Montenegro|Morocco|
Mozambique|Myanmar|Burma|Namibia|Nauru|Nepal|Netherlands|Holland|New Zealand|Nicaragua|Niger|Nigeria|
North Korea|North Macedonia|Macedonia|Norway|Oman|Pakistan|Palau|Palestine|Gaza|West Bank|Panama|
Papua New Guinea|Paraguay|Peru|Philippines|Poland|Portugal|Puerto Rico|Qatar|Romania|Russia|
Russian Federation|Rwanda|Saint Kitts and Nevis|Saint Lucia|Saint Vincent and the Grenadines|Samoa|
San Marino|Sao Tome and Principe|Saudi Arabia|Senegal|Serbia|Seychelles|Sierra Leone|Singapore|Slovakia|
Slovenia|Solomon Islands|Somalia|South Africa|South Korea|South Sudan|Spain|Sri Lanka|Sudan|Suriname|
Sweden|Switzerland|Syria|Taiwan|Tajikistan|Tanzania|Thailand|Timor-Leste|East Timor|Togo|Tonga|
Trinidad and Tobago|Tunisia|Turkey|Türkiye|Turkmenistan|Tuvalu|Uganda|Ukraine|United Arab Emirates|
United Kingdom|Britain|Great Britain|England|Scotland|Wales|Northern Ireland|United States|America|
Uruguay|Uzbekistan|Vanuatu|Vatican|Venezuela|Vietnam|Western Sahara|Yemen|Zambia|Zimbabwe|
Soviet Union|West Germany|East Germany|Yugoslavia|Czechoslovakia|Zaire|Rhodesia
"""

US_STATES = """
Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Hawaii|Idaho|
Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota|
Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|North Carolina|
North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|
Texas|Utah|Vermont|Virginia|West Virginia|Wisconsin|Wyoming
"""


def _names(block: str) -> tuple[str, ...]:
    """The names of a block above: "|"-separated, wrapped at will."""
    return tuple(name.strip() for name in block.replace("\n", "").split("|") if name.strip())


US_STATES_NAMES = _names(US_STATES)

# Canada's provinces and Australia's states ("Victoria" left out: as often a person).
PROVINCES = """
Ontario|Quebec|British Columbia|Alberta|Saskatchewan|Manitoba|Nova Scotia|New Brunswick|Newfoundland|
Prince Edward Island|Yukon|New South Wales|Queensland|Tasmania|Western Australia|South Australia|
Northern Territory
"""

REGIONS = """
Africa|Antarctica|Asia|Europe|Oceania|North America|South America|Latin America|Central America|
Middle East|Southeast Asia|Scandinavia|Caribbean|Balkans|Siberia|North Sea|Gulf of Mexico|Persian Gulf|
Far East|Near East|Pacific Rim|Pacific Basin|East Asia|South Asia|Central Asia|Western Europe|Eastern Europe|
North Africa|West Africa|East Africa|Southern Africa|South Pacific
"""

PLACES = frozenset(name for block in (COUNTRIES, US_STATES, PROVINCES, REGIONS) for name in _names(block))
COUNTRY_NAMES = frozenset(_names(COUNTRIES))

# Cities whose names run to two words or more, like a person's ("New York", "San Francisco"):
# named alone, no person. They stay out of PLACES, which a place is read from without a cue.
CITIES = frozenset(_names("""
New York|Los Angeles|San Francisco|San Diego|San Jose|Las Vegas|New Orleans|St Louis|St. Louis|
Salt Lake City|Kansas City|Oklahoma City|Rio de Janeiro|Sao Paulo|Buenos Aires|Mexico City|Kuala Lumpur|
Tel Aviv|New Delhi|West Berlin|East Berlin|Abu Dhabi|Cape Town|Panama City|Quebec City|Santo Domingo|
San Juan|Santa Barbara|Santa Clara|Fort Worth|Long Beach|El Paso|Baton Rouge|Des Moines|Colorado Springs
"""))

# Streets and districts whose names stand for an industry or a government ("Wall Street
# arbitrageur Ivan Boesky", "Downing Street said"): shaped like a person's name, they name no one.
LANDMARKS = frozenset(_names("""
Wall Street|Capitol Hill|Downing Street|Fleet Street|Main Street|Madison Avenue|Pennsylvania Avenue
"""))

# What a country's people are called where no rule derives it ("Turkish" for Turkey, "Swiss",
# "Dutch"), and the common ones a suffix does not mark ("American", "Iraqi", "Thai"): a question
# about "Procter and Gamble's Turkish partner" names Turkey, and "American Consulate" names no
# person. Demonyms ending in -ian, -ese, -ish and -ean that share a country's stem ("Canadian",
# "Chinese") are recognised without this table (answer_type).
_DEMONYMS = """
american:United States,America|british:Britain,United Kingdom,Great Britain|english:England|
scottish:Scotland|scots:Scotland|welsh:Wales|irish:Ireland|french:France|german:Germany,West Germany,
East Germany|dutch:Netherlands,Holland|swiss:Switzerland|spanish:Spain|portuguese:Portugal|
greek:Greece|turkish:Turkey|danish:Denmark|swedish:Sweden|norwegian:Norway|finnish:Finland|
polish:Poland|belgian:Belgium|czech:Czechoslovakia,Czech Republic,Czechia|slovak:Slovakia|
serb:Serbia|croat:Croatia|cypriot:Cyprus|soviet:Soviet Union|lebanese:Lebanon|afghan:Afghanistan|
saudi:Saudi Arabia|iraqi:Iraq|israeli:Israel|kuwaiti:Kuwait|qatari:Qatar|emirati:United Arab Emirates|
yemeni:Yemen|omani:Oman|bahraini:Bahrain|pakistani:Pakistan|bangladeshi:Bangladesh|nepali:Nepal|
somali:Somalia|thai:Thailand|filipino:Philippines|philippine:Philippines|kazakh:Kazakhstan|
uzbek:Uzbekistan|mexican:Mexico|cuban:Cuba|moroccan:Morocco|kenyan:Kenya|ugandan:Uganda|
rwandan:Rwanda|venezuelan:Venezuela|dominican:Dominican Republic|puerto rican:Puerto Rico|
costa rican:Costa Rica|sri lankan:Sri Lanka|new zealander:New Zealand|icelandic:Iceland|
argentine:Argentina|texan:Texas|alaskan:Alaska
"""

DEMONYMS: dict[str, frozenset[str]] = {
    people.strip(): frozenset(p.strip() for p in places.split(","))
    for people, places in (entry.split(":") for entry in _names(_DEMONYMS))}
