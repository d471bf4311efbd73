"""Sinergi: ASN competency-development data integration."""
