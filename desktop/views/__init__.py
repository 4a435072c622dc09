"""The pages of the main window (台账, 填报轮次, 单位, 问题清单, 报表, 仪表盘, 填报)."""
