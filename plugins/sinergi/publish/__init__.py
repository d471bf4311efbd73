"""Write-audit-publish: audited marts reach analysts in one transaction, or not at all."""
