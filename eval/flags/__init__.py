"""Flag material shared by the flag benchmarks: designs, background photos, measures."""



