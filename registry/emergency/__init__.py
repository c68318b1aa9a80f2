"""Heavy-pollution emergency reduction lists (应急减排清单, 一厂一策): baselines, totals vs targets, optimizer, versions."""
